using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// The access-token authenticator when the host registered the OAuth2 stores. A host that only uses API keys registers
/// none, and JWT-shaped bearer tokens are then not ours (no result).
/// </summary>
internal sealed class OAuthServerServices(IServiceProvider services)
{
    private readonly Lazy<AccessTokenAuthenticator?> _tokens = new(() => StoreRegistrations.HasOAuth2(services) ? services.GetRequiredService<AccessTokenAuthenticator>() : null);

    /// <summary>The access-token authenticator, or <see langword="null"/> when the OAuth2 stores are not registered.</summary>
    public AccessTokenAuthenticator? Tokens => _tokens.Value;
}
