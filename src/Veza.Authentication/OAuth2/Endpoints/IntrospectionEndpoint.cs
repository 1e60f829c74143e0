using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Veza.Authentication.Credentials;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using static Veza.Authentication.OAuth2.OAuthConstants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// The introspection endpoint (RFC 7662), for authenticated confidential clients and apps about their own tokens:
/// an access token is active exactly when the API would accept it now (the resource side's own decision), and an app's
/// refresh token when the refresh grant would accept it now.
/// </summary>
internal static class IntrospectionEndpoint
{
    // RFC 7662. Access tokens and refresh tokens are told apart by their shape, so token_type_hint (any value) never
    // hides a token. Only the client a token was issued to learns anything about it; to anyone else it is inactive.
    public static async Task IntrospectAsync(HttpContext context)
    {
        if (await ClientAuthentication.ReadTokenRequestAsync(context, allowPublic: false).ConfigureAwait(false) is not { } request)
        {
            return;
        }

        var (client, token, basic) = request;
        var services = context.RequestServices;
        Action<Utf8JsonWriter>? describe;
        try
        {
            describe = AccessTokenAuthenticator.LooksLikeJwt(token)
                ? await DescribeAccessTokenAsync(services, client, token, context.RequestAborted).ConfigureAwait(false)
                : client.Kind == OAuthClientKind.App && services.GetService<UserGrants>() is { } grants
                    ? await DescribeRefreshTokenAsync(services, grants, client, token, context.RequestAborted).ConfigureAwait(false)
                    : null;
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            await OAuthProtocol.WriteErrorAsync(context, OAuthError.TemporarilyUnavailable("Introspection is temporarily unavailable."), basic)
                .ConfigureAwait(false);
            return;
        }

        OAuthProtocol.NoStore(context.Response);
        await OAuthProtocol.WriteJsonAsync(context, json =>
        {
            json.WriteBoolean(Parameters.Active, describe is not null);
            describe?.Invoke(json);
        }).ConfigureAwait(false);
    }

    // An access token of this client that the API would accept now: the same decision as the resource side's.
    private static async ValueTask<Action<Utf8JsonWriter>?> DescribeAccessTokenAsync(IServiceProvider services, ClientSnapshot client, string token,
        CancellationToken cancellationToken)
    {
        var tokens = services.GetRequiredService<AccessTokenAuthenticator>();
        AccessTokenClaims claims;
        try
        {
            claims = await tokens.CheckAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialRejectedException)
        {
            return null;
        }

        if (claims.ClientId != client.Id || (await tokens.DecideAsync(claims, "introspection", cancellationToken).ConfigureAwait(false)).Principal is null)
        {
            return null;
        }

        var codec = services.GetRequiredService<AccessTokenCodec>();
        return json =>
        {
            json.WriteString(Parameters.Scope, string.Join(' ', claims.Scopes));
            json.WriteString(Parameters.ClientId, claims.ClientId);
            json.WriteString(Parameters.TokenType, Values.BearerTokenType);
            json.WriteNumber(JwtRegisteredClaimNames.Exp, claims.ExpiresAt.ToUnixTimeSeconds());
            json.WriteNumber(JwtRegisteredClaimNames.Iat, claims.IssuedAt.ToUnixTimeSeconds());
            json.WriteNumber(JwtRegisteredClaimNames.Nbf, claims.IssuedAt.ToUnixTimeSeconds());
            json.WriteString(JwtRegisteredClaimNames.Sub, claims.TokenSubject);
            json.WriteString(JwtRegisteredClaimNames.Aud, codec.Audience);
            json.WriteString(JwtRegisteredClaimNames.Iss, codec.Issuer);
            json.WriteString(JwtRegisteredClaimNames.Jti, claims.TokenId);
            json.WriteString(VezaClaimTypes.TeamId, claims.TeamId);
        };
    }

    // A refresh token of this app that the refresh grant would accept now.
    private static async ValueTask<Action<Utf8JsonWriter>?> DescribeRefreshTokenAsync(IServiceProvider services, UserGrants grants, ClientSnapshot app, string token,
        CancellationToken cancellationToken)
    {
        if (await grants.FindUsableRefreshTokenAsync(app, token, cancellationToken).ConfigureAwait(false) is not { } usable)
        {
            return null;
        }

        var issuer = services.GetRequiredService<AccessTokenCodec>().Issuer;
        return json =>
        {
            json.WriteString(Parameters.Scope, string.Join(' ', usable.Scopes));
            json.WriteString(Parameters.ClientId, app.Id);
            json.WriteNumber(JwtRegisteredClaimNames.Exp, usable.Token.ExpiresAt.ToUnixTimeSeconds());
            json.WriteNumber(JwtRegisteredClaimNames.Iat, usable.Token.CreatedAt.ToUnixTimeSeconds());
            json.WriteString(JwtRegisteredClaimNames.Sub, VezaPrincipalResolver.UserSubject(usable.Grant.UserId));
            json.WriteString(JwtRegisteredClaimNames.Iss, issuer);
            json.WriteString(VezaClaimTypes.TeamId, usable.Grant.TeamId);
        };
    }
}
