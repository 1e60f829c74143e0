using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// The revocation endpoint (RFC 7009), for clients and apps about their own tokens: an access token is remembered as
/// revoked until it expires, and an app's refresh token revokes its whole grant.
/// </summary>
internal static class RevocationEndpoint
{
    // A token expired longer ago than this is refused by every validation anyway: nothing to remember.
    private static readonly TimeSpan ExpiredLongAgo = TimeSpan.FromMinutes(5);

    public static async Task RevokeAsync(HttpContext context)
    {
        if (await ClientAuthentication.ReadTokenRequestAsync(context, allowPublic: true).ConfigureAwait(false) is not { } request)
        {
            return;
        }

        // RFC 7009 §2.2: an invalid, expired or unknown token is answered 200 as well. A token of another client is
        // not revoked, and the answer is the same, so a client learns nothing about other clients' tokens.
        var (client, token, basic) = request;
        var services = context.RequestServices;
        var claims = AccessTokenAuthenticator.LooksLikeJwt(token)
            ? await services.GetRequiredService<AccessTokenCodec>().ValidateAsync(token, validateLifetime: false, context.RequestAborted).ConfigureAwait(false)
            : null;
        var time = services.GetRequiredService<TimeProvider>();
        var ownAccessToken = claims is not null && claims.ClientId == client.Id && claims.ExpiresAt > time.GetUtcNow() - ExpiredLongAgo;
        try
        {
            if (ownAccessToken)
            {
                await services.GetRequiredService<TokenRevocationList>()
                    .RevokeAsync(new RevokedTokenRecord(claims!.TokenId, claims.ClientId, claims.ExpiresAt, time.GetUtcNow()), context.RequestAborted).ConfigureAwait(false);
            }
            else if (claims is null && client.Kind == OAuthClientKind.App && services.GetService<UserGrants>() is { } grants
                && await grants.RevokeRefreshTokenAsync(client.Id, token, context.RequestAborted).ConfigureAwait(false))
            {
                // Not a JWT but one of the app's refresh tokens: its whole grant is revoked.
                await OAuthEndpointAudit.SucceededAsync(context, VezaAuditActions.RefreshTokenRevoke, client, null).ConfigureAwait(false);
            }
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            await OAuthProtocol.WriteErrorAsync(context, OAuthError.TemporarilyUnavailable("The revocation could not be recorded; try again."), basic).ConfigureAwait(false);
            return;
        }

        if (ownAccessToken)
        {
            await OAuthEndpointAudit.SucceededAsync(context, VezaAuditActions.TokenRevoke, client, claims!.TeamId, claims.TokenId).ConfigureAwait(false);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        OAuthProtocol.NoStore(context.Response);
    }
}
