using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;

namespace Veza.Authentication.Samples.WebApp;

/// <summary>
/// "Sign in with Veza" on ASP.NET Core's generic OAuth handler: the authorization code flow with PKCE, the tokens kept
/// in the app's cookie, and the user's identity read from the server's <c>/api/me</c>.
/// </summary>
public static class VezaSignIn
{
    /// <summary>The path the server redirects back to with the code (registered as the app's redirect URI).</summary>
    public const string CallbackPath = "/signin-veza";

    /// <summary>Configures the OAuth handler from <see cref="VezaServerOptions"/>.</summary>
    /// <param name="options">The handler's options.</param>
    /// <param name="server">Where the server is and how this app is registered there.</param>
    public static void Configure(OAuthOptions options, IOptions<VezaServerOptions> server)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(server);
        var veza = server.Value;
        options.AuthorizationEndpoint = veza.AuthorizationEndpoint;
        options.TokenEndpoint = veza.TokenEndpoint;
        options.ClientId = veza.ClientId;
        options.ClientSecret = veza.ClientSecret;
        options.CallbackPath = CallbackPath;
        options.UsePkce = true;
        options.SaveTokens = true;
        options.Scope.Clear();
        foreach (var scope in veza.Scopes is { Count: > 0 } scopes ? scopes : VezaServerOptions.DefaultScopes)
        {
            options.Scope.Add(scope);
        }

        // The correlation cookie must come back with the redirect from the server: Lax is enough for that top-level
        // GET, and SameAsRequest lets it work over plain http on the loopback address.
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;

        options.ClaimActions.MapJsonKey(ClaimTypes.NameIdentifier, "subject");
        options.ClaimActions.MapJsonKey(ClaimTypes.Name, "name");
        var me = veza.BaseUrl + "/api/me";
        options.Events = new OAuthEvents
        {
            OnCreatingTicket = context => AddUserClaimsAsync(context, me),
            OnRemoteFailure = ShowFailureAsync,
        };
    }

    // Who signed in: the server's answer to /api/me with the new access token.
    private static async Task AddUserClaimsAsync(OAuthCreatingTicketContext context, string meUrl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, meUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            throw new AuthenticationFailureException($"The Veza server answered {(int)response.StatusCode} to /api/me with the new access token.");
        }

        using var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted));
        context.RunClaimActions(user.RootElement);
    }

    // A denied consent (error=access_denied), an error from the server or a failed code exchange: shown on a page of
    // the app rather than thrown as a 500.
    private static async Task ShowFailureAsync(RemoteFailureContext context)
    {
        context.HandleResponse();
        var failure = context.Failure;
        var error = failure?.Data["error"] as string ?? "sign_in_failed";
        var description = failure?.Data["error_description"] as string ?? failure?.Message;
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await Pages.WriteAsync(context.Response, "Sign-in did not complete", Pages.Error(error, description));
    }
}
