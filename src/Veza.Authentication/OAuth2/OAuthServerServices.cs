using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Whether the host registered the OAuth2 stores, and the access-token authenticator when it did. A host that only
/// uses API keys registers none, and JWT-shaped bearer tokens are then not ours (no result).
/// </summary>
internal sealed class OAuthServerServices(IServiceProvider services)
{
    private static readonly Type[] Stores = [typeof(IOAuthClientStore), typeof(ISigningKeyStore), typeof(ITokenRevocationStore), typeof(IVezaSettingsStore)];

    private readonly Lazy<AccessTokenAuthenticator?> _tokens = new(() => IsAvailable(services) ? services.GetRequiredService<AccessTokenAuthenticator>() : null);

    /// <summary>The access-token authenticator, or <see langword="null"/> when the OAuth2 stores are not registered.</summary>
    public AccessTokenAuthenticator? Tokens => _tokens.Value;

    public static bool IsAvailable(IServiceProvider services)
    {
        var known = services.GetRequiredService<IServiceProviderIsService>();
        return Stores.All(known.IsService);
    }

    /// <summary>Whether the stores for apps are registered as well: the authorization endpoint and the user grants.</summary>
    public static bool AppsAvailable(IServiceProvider services)
    {
        var known = services.GetRequiredService<IServiceProviderIsService>();
        return IsAvailable(services) && known.IsService(typeof(IOAuthGrantStore)) && known.IsService(typeof(IOAuthConsentStore));
    }

    public static IEnumerable<string> Missing(IServiceProvider services)
    {
        var known = services.GetRequiredService<IServiceProviderIsService>();
        return Stores.Where(t => !known.IsService(t)).Select(t => t.Name);
    }
}
