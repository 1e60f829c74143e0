using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.OAuth2.Grants;
using static Veza.Authentication.OAuth2.OAuthConstants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// The token endpoint (RFC 6749 §3.2): reads the request, authenticates the client, finds the grant type by
/// <c>grant_type</c> among those registered (<see cref="TokenGrantTypes"/>), and answers the tokens the grant issues
/// or the error it refuses with. It knows no grant type by name.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        if (!await OAuthServerEndpoints.IsOnAsync(context).ConfigureAwait(false) || await ClientAuthentication.ReadAsync(context).ConfigureAwait(false) is not { } request)
        {
            return;
        }

        if (!request.Form.TryGetValue(Parameters.GrantType, out var grantType))
        {
            await OAuthEndpointAudit.RefuseAsync(context, OAuthError.InvalidRequest("grant_type is required."), request.UsedBasic, request.ClientId, "no grant type")
                .ConfigureAwait(false);
            return;
        }

        if (await ClientAuthentication.AuthenticateAsync(context, request, allowPublic: true).ConfigureAwait(false) is not { } client)
        {
            return;
        }

        var grantTypes = context.RequestServices.GetRequiredService<TokenGrantTypes>();
        var parser = grantTypes.Find(grantType);
        if (parser is null || !parser.Grant.IsAllowedFor(client))
        {
            var (error, reason) = parser is null
                ? (new OAuthError(400, Errors.UnsupportedGrantType, grantTypes.UnsupportedDescription), "unsupported grant")
                : (new OAuthError(400, Errors.UnauthorizedClient, "This client may not use this grant type."), "grant not allowed for client");
            await OAuthEndpointAudit.RefuseAsync(context, error, request.UsedBasic, client.Id, reason).ConfigureAwait(false);
            return;
        }

        TokenGrantResult result;
        try
        {
            result = await parser.HandleAsync(client, request.Form, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            result = GrantRefusal.Unavailable();
        }

        if (result.Tokens is not { } tokens)
        {
            var refusal = result.Refusal!;
            if (refusal.IsUnavailable)
            {
                context.Response.Headers.RetryAfter = "5";
            }

            var status = refusal.IsUnavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest;
            await OAuthEndpointAudit.RefuseAsync(context, new OAuthError(status, refusal.Error, refusal.Description), request.UsedBasic, client.Id,
                refusal.Reason ?? grantType + " refused").ConfigureAwait(false);
            return;
        }

        context.RequestServices.GetRequiredService<ClientUsageRecorder>().Record(client.Id, tokens.Claims.IssuedAt);
        await OAuthEndpointAudit.SucceededAsync(context, VezaAuditActions.TokenIssue, client, tokens.Claims.TeamId).ConfigureAwait(false);
        OAuthProtocol.NoStore(context.Response);
        await OAuthProtocol.WriteJsonAsync(context, json =>
        {
            json.WriteString(Parameters.AccessToken, tokens.AccessToken);
            json.WriteString(Parameters.TokenType, Values.BearerTokenType);
            json.WriteNumber(Parameters.ExpiresIn, (long)(tokens.Claims.ExpiresAt - tokens.Claims.IssuedAt).TotalSeconds);
            json.WriteString(Parameters.Scope, string.Join(' ', tokens.Scopes));
            if (tokens.RefreshToken is not null)
            {
                json.WriteString(Parameters.RefreshToken, tokens.RefreshToken);
            }
        }).ConfigureAwait(false);
    }
}
