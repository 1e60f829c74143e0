using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// The authorization server's endpoints: metadata (RFC 8414) and JWKS (<see cref="MetadataEndpoints"/>), token
/// (<see cref="TokenEndpoint"/>), revocation (<see cref="RevocationEndpoint"/>), introspection
/// (<see cref="IntrospectionEndpoint"/>) and the change feed for remote resource servers (<see cref="ChangeFeedEndpoint"/>).
/// While the server is switched off every one answers 404.
/// </summary>
internal static class OAuthServerEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints, OAuthServerOptions options)
    {
        endpoints.MapGet(OAuthServerOptions.MetadataPath, MetadataEndpoints.MetadataAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(options.JwksPath, MetadataEndpoints.JwksAsync).AllowAnonymous().ExcludeFromDescription();
        endpoints.Map(options.TokenPath, TokenEndpoint.HandleAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        endpoints.Map(options.RevocationPath, RevocationEndpoint.RevokeAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        endpoints.Map(options.IntrospectionPath, IntrospectionEndpoint.IntrospectAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        ChangeFeedEndpoint.Map(endpoints, options);
    }

    // 404 while the server is off; 503 when the settings cannot be read (fail closed).
    internal static async Task<bool> IsOnAsync(HttpContext context)
    {
        try
        {
            if (await context.RequestServices.GetRequiredService<OAuthServerSwitch>().IsEnabledAsync(context.RequestAborted).ConfigureAwait(false))
            {
                return true;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            OAuthProtocol.NoStore(context.Response);
            return false;
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "5";
            await OAuthProtocol.WriteErrorAsync(context, OAuthError.TemporarilyUnavailable("The authorization server is temporarily unavailable."), false)
                .ConfigureAwait(false);
            return false;
        }
    }
}
