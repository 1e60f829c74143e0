using Microsoft.Extensions.DependencyInjection;

namespace Veza.Authentication.Stores;

/// <summary>
/// Which of the optional store sets the host registered. API keys need only <see cref="IApiKeyStore"/>; the OAuth2
/// server needs its four stores, and OAuth2 apps the grant and consent stores as well. A host that only uses API keys
/// registers none, and the OAuth2 parts then stay unused.
/// </summary>
internal static class StoreRegistrations
{
    private static readonly Type[] OAuth2Stores = [typeof(IOAuthClientStore), typeof(ISigningKeyStore), typeof(ITokenRevocationStore), typeof(IVezaSettingsStore)];

    /// <summary>Whether the OAuth2 server's stores are registered.</summary>
    public static bool HasOAuth2(IServiceProvider services)
    {
        var known = services.GetRequiredService<IServiceProviderIsService>();
        return OAuth2Stores.All(known.IsService);
    }

    /// <summary>Whether the stores for apps are registered as well: the authorization endpoint and the user grants.</summary>
    public static bool HasOAuth2Apps(IServiceProvider services)
    {
        var known = services.GetRequiredService<IServiceProviderIsService>();
        return HasOAuth2(services) && known.IsService(typeof(IOAuthGrantStore)) && known.IsService(typeof(IOAuthConsentStore));
    }

    /// <summary>The names of the OAuth2 server's stores that are not registered.</summary>
    public static IEnumerable<string> MissingOAuth2(IServiceProvider services)
    {
        var known = services.GetRequiredService<IServiceProviderIsService>();
        return OAuth2Stores.Where(t => !known.IsService(t)).Select(t => t.Name);
    }
}
