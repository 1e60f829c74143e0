using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Grants;

/// <summary>The parameters of a <c>refresh_token</c> request (RFC 6749 §6): <see cref="Scopes"/> when the app asks for fewer.</summary>
internal sealed record RefreshTokenRequest(string RefreshToken, IReadOnlyList<string>? Scopes);

/// <summary>
/// The <c>refresh_token</c> grant (RFC 6749 §6), for apps, with rotation and reuse detection (RFC 9700 §4.14.2): every
/// use replaces the refresh token, and a replaced one used again revokes the grant with all it produced. Offered when
/// the app stores are registered.
/// </summary>
internal sealed class RefreshTokenGrant(UserGrants? grants, VezaPrincipalResolver principals, TimeProvider time) : ITokenGrantHandler<RefreshTokenRequest>
{
    public string GrantType => OAuthConstants.GrantTypes.RefreshToken;

    public bool IsOffered => grants is not null;

    public bool IsAllowedFor(ClientSnapshot client) => grants is not null && client.Kind == OAuthClientKind.App;

    public async ValueTask<TokenGrantResult> HandleAsync(ClientSnapshot app, RefreshTokenRequest request, CancellationToken cancellationToken)
    {
        var userGrants = grants ?? throw new InvalidOperationException("The refresh token grant needs the app stores.");
        var now = time.GetUtcNow();
        var hash = UserGrants.Hash(request.RefreshToken);
        var current = request.RefreshToken.Length > 256 ? null : await userGrants.Store.FindRefreshTokenAsync(hash, cancellationToken).ConfigureAwait(false);
        if (current is null || current.AppId != app.Id)
        {
            return GrantRefusal.InvalidGrant("The refresh token is invalid.");
        }

        if (current.RotatedAt is not null)
        {
            return await ReusedAsync(userGrants, current, cancellationToken).ConfigureAwait(false);
        }

        var grant = await userGrants.Store.FindGrantAsync(current.GrantId, cancellationToken).ConfigureAwait(false);
        if (!app.AllowedScopes.Contains(OAuthServerOptions.OfflineAccessScope, StringComparer.Ordinal))
        {
            return GrantRefusal.InvalidGrant("The app may no longer use refresh tokens.");
        }

        if (current.ExpiresAt <= now || grant is not { RevokedAt: null } || grant.ExpiresAt <= now
            || !await principals.IsMemberAsync(grant.UserId, grant.TeamId, cancellationToken).ConfigureAwait(false))
        {
            return GrantRefusal.InvalidGrant("The refresh token has expired or its authorization is no longer valid.");
        }

        IReadOnlyList<string> scopes = grant.Scopes;
        if (request.Scopes is { } asked)
        {
            // RFC 6749 §6: a refresh may narrow the scope, never widen it.
            if (asked.Count == 0 || asked.Any(s => !grant.Scopes.Contains(s, StringComparer.Ordinal)))
            {
                return GrantRefusal.InvalidScope("A refresh can only narrow the granted scope.");
            }

            scopes = asked;
        }

        var tokens = await userGrants.IssueTokensAsync(app, grant, scopes, hash, now, cancellationToken).ConfigureAwait(false);
        return tokens is null ? await ReusedAsync(userGrants, current, cancellationToken).ConfigureAwait(false) : tokens;
    }

    private static async ValueTask<TokenGrantResult> ReusedAsync(UserGrants userGrants, RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        await userGrants.RevokeReusedRefreshTokenAsync(token, cancellationToken).ConfigureAwait(false);
        return GrantRefusal.InvalidGrant("The refresh token was used before; the authorization is revoked.");
    }
}
