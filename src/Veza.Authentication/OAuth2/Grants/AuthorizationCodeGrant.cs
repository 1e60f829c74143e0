using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Grants;

/// <summary>The parameters of an <c>authorization_code</c> request (RFC 6749 §4.1.3, RFC 7636 §4.5).</summary>
internal sealed record AuthorizationCodeRequest(string Code, string RedirectUri, string CodeVerifier);

/// <summary>
/// The <c>authorization_code</c> grant, for apps. Everything the code is bound to is checked before it is spent: a code
/// presented by another app, with another redirect URI or a wrong verifier changes nothing. Only its own app's second
/// redemption is a replay, which revokes the grant with all it produced. Offered when the app stores are registered.
/// </summary>
internal sealed class AuthorizationCodeGrant(UserGrants? grants, VezaPrincipalResolver principals, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    : ITokenGrantHandler<AuthorizationCodeRequest>
{
    private readonly TimeSpan _grantLifetime = options.Value.OAuth2.RefreshTokenAbsoluteLifetime;

    public string GrantType => OAuthConstants.GrantTypes.AuthorizationCode;

    public bool IsOffered => grants is not null;

    public bool IsAllowedFor(ClientSnapshot client) => grants is not null && client.Kind == OAuthClientKind.App;

    public async ValueTask<TokenGrantResult> HandleAsync(ClientSnapshot app, AuthorizationCodeRequest request, CancellationToken cancellationToken)
    {
        var userGrants = grants ?? throw new InvalidOperationException("The authorization code grant needs the app stores.");
        var now = time.GetUtcNow();
        var hash = UserGrants.Hash(request.Code);
        var stored = request.Code.Length > 256 ? null : await userGrants.Store.FindCodeAsync(hash, now, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.AppId != app.Id)
        {
            return GrantRefusal.InvalidGrant("The authorization code is invalid or has expired.");
        }

        if (stored.RedeemedAt is not null)
        {
            return await ReplayedAsync(userGrants, stored, cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(stored.RedirectUri, request.RedirectUri, StringComparison.Ordinal))
        {
            return GrantRefusal.InvalidGrant("redirect_uri does not match the authorization request.");
        }

        if (!Pkce.Matches(request.CodeVerifier, stored.CodeChallenge))
        {
            return GrantRefusal.InvalidGrant("code_verifier does not match the code_challenge.");
        }

        if (!await principals.IsMemberAsync(stored.UserId, stored.TeamId, cancellationToken).ConfigureAwait(false))
        {
            return NoLongerValid();
        }

        var grantEnds = now + _grantLifetime;
        var redemption = await userGrants.Store.RedeemCodeAsync(hash, app.Id, now, grantEnds, cancellationToken).ConfigureAwait(false);
        switch (redemption.Status)
        {
            case CodeRedemptionStatus.AlreadyRedeemed:
                // Redeemed concurrently: a replay as well.
                return await ReplayedAsync(userGrants, redemption.Code!, cancellationToken).ConfigureAwait(false);
            case CodeRedemptionStatus.NotFound:
                return GrantRefusal.InvalidGrant("The authorization code is invalid or has expired.");
        }

        var grant = stored.StartGrant(now, grantEnds);
        // The store takes no refresh token only when the grant has gone since it was started (revoked and pruned).
        return await userGrants.IssueTokensAsync(app, grant, grant.Scopes, null, now, cancellationToken).ConfigureAwait(false) is { } tokens ? tokens : NoLongerValid();
    }

    private static GrantRefusal NoLongerValid() => GrantRefusal.InvalidGrant("The authorization is no longer valid.");

    private static async ValueTask<TokenGrantResult> ReplayedAsync(UserGrants userGrants, AuthorizationCodeRecord code, CancellationToken cancellationToken)
    {
        await userGrants.RevokeReplayedCodeAsync(code, cancellationToken).ConfigureAwait(false);
        return GrantRefusal.InvalidGrant("The authorization code was used before.");
    }
}
