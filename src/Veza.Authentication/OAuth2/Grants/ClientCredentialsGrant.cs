using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Grants;

/// <summary>The parameters of a <c>client_credentials</c> request (RFC 6749 §4.4.2): <see cref="Scopes"/> when the client names them.</summary>
internal sealed record ClientCredentialsRequest(IReadOnlyList<string>? Scopes);

/// <summary>
/// The <c>client_credentials</c> grant (RFC 6749 §4.4), for confidential clients acting as themselves in their team.
/// The token's scopes are those requested (all the client is allowed when none are), each allowed for the client and
/// granted by its role now: a scope never means more than a permission.
/// </summary>
internal sealed class ClientCredentialsGrant(VezaPrincipalResolver principals, AccessTokenCodec codec) : ITokenGrantHandler<ClientCredentialsRequest>
{
    public string GrantType => OAuthConstants.GrantTypes.ClientCredentials;

    public bool IsOffered => true;

    public bool IsAllowedFor(ClientSnapshot client) => client.Kind == OAuthClientKind.Client;

    public async ValueTask<TokenGrantResult> HandleAsync(ClientSnapshot client, ClientCredentialsRequest request, CancellationToken cancellationToken)
    {
        var requested = request.Scopes ?? client.AllowedScopes;
        if (requested.Any(wanted => !client.AllowedScopes.Contains(wanted, StringComparer.Ordinal)))
        {
            return GrantRefusal.InvalidScope("A requested scope is unknown or not allowed for this client.", "scope not allowed");
        }

        // requested ∩ allowed ∩ what the client's role grants now.
        var permissions = principals.PermissionsOf(client.Role);
        var granted = requested.Distinct(StringComparer.Ordinal).Where(s => permissions.Contains(s, StringComparer.Ordinal)).ToArray();
        if (granted.Length == 0)
        {
            return GrantRefusal.InvalidScope("None of the requested scopes is granted by the client's role.", "no scope granted");
        }

        string token;
        AccessTokenClaims claims;
        try
        {
            (token, claims) = await codec.CreateAsync(client.Id, client.TeamId, client.Role, client.SecretId, granted, client.AccessTokenLifetime, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return GrantRefusal.Unavailable("signing keys unavailable");
        }

        return new IssuedTokens(token, claims, null, granted);
    }
}
