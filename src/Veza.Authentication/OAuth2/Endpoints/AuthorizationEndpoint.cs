using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;
using static Veza.Authentication.OAuth2.OAuthConstants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// The authorization endpoint (RFC 6749 §4.1.1 with RFC 7636 and RFC 9207). A GET checks the request in a fixed order,
/// then needs a signed-in user of the host's interactive scheme, then either remembers the user's consent or shows the
/// consent page; the page posts back to the same URL. Until the app and its redirect URI are trusted, errors are shown
/// on a page and never redirected; after that they go back to the app with <c>error</c>, <c>state</c> and <c>iss</c>.
/// </summary>
internal static class AuthorizationEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints, OAuthServerOptions options)
    {
        endpoints.MapMethods(options.AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], HandleAsync)
            .AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        // The consent page's stylesheet, beside it (answered whether or not the server is on: it is only a file).
        endpoints.MapMethods(options.AuthorizationPath + "/" + VezaStyleSheet.FileName, [HttpMethods.Get, HttpMethods.Head], VezaStyleSheet.WriteAsync)
            .AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task HandleAsync(HttpContext context)
    {
        if (!await OAuthServerEndpoints.IsOnAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var services = context.RequestServices;
        var grants = services.GetService<UserGrants>();
        if (grants is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        try
        {
            await AuthorizeAsync(context, grants, services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.OAuth2).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted && ManagementStoreFailure(ex))
        {
            services.GetRequiredService<AuthenticationFailureLog>().Record(AuthenticationFailureKind.Unavailable, ex);
            context.Response.Headers.RetryAfter = "5";
            await ErrorPageAsync(context, StatusCodes.Status503ServiceUnavailable, "The service is temporarily unavailable. Try again shortly.").ConfigureAwait(false);
        }
    }

    private static bool ManagementStoreFailure(Exception ex) => Veza.Authentication.Credentials.StoreFailures.IsStoreFailure(ex);

    private static async Task AuthorizeAsync(HttpContext context, UserGrants grants, OAuthServerOptions options)
    {
        var services = context.RequestServices;
        var query = context.Request.Query;
        foreach (var (_, values) in query)
        {
            if (values.Count > 1)
            {
                await ErrorPageAsync(context, 400, "The request repeats a parameter.").ConfigureAwait(false);
                return;
            }
        }

        // 1. A known, active app.
        var clientId = Get(query, Parameters.ClientId);
        var app = ClientSecretVerifier.IsPlausible(clientId)
            ? await StoreRead.WithTimeoutAsync((Store: services.GetRequiredService<IOAuthClientStore>(), Id: clientId!), static (s, ct) => s.Store.FindByIdAsync(s.Id, ct),
                services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.Stores.Timeout).ConfigureAwait(false)
            : null;
        if (app is not { Kind: OAuthClientKind.App, Status: OAuthClientStatus.Active, App: { } settings })
        {
            await RefuseOnPageAsync(context, clientId, "unknown or inactive app", "The app is unknown or has been disabled.").ConfigureAwait(false);
            return;
        }

        // 2. A redirect URI the app registered: from here on errors go back to the app.
        var redirectUri = Get(query, Parameters.RedirectUri);
        if (redirectUri is null || redirectUri.Length > 2000 || !RedirectUriRules.IsUriText(redirectUri) || !RedirectUriRules.IsAllowed(redirectUri, settings))
        {
            await RefuseOnPageAsync(context, app.Id, "redirect URI not registered", "The redirect URI is missing or not registered for this app.").ConfigureAwait(false);
            return;
        }

        var back = new Reply(context, redirectUri, Get(query, Parameters.State), options.Issuer!, app.Id);

        // 3. The authorization code flow only: no implicit, no hybrid.
        var responseType = Get(query, Parameters.ResponseType);
        if (responseType != Values.CodeResponseType)
        {
            await back.ErrorAsync(responseType is null ? Errors.InvalidRequest : Errors.UnsupportedResponseType, "response_type must be code.").ConfigureAwait(false);
            return;
        }

        if (Get(query, Parameters.ResponseMode) is { } mode && mode != Values.QueryResponseMode)
        {
            await back.ErrorAsync(Errors.InvalidRequest, "Only response_mode=query is supported.").ConfigureAwait(false);
            return;
        }

        // 4. PKCE with S256: plain and a missing method are refused.
        var challenge = Get(query, Parameters.CodeChallenge);
        if (challenge is null || Get(query, Parameters.CodeChallengeMethod) != Values.S256)
        {
            await back.ErrorAsync(Errors.InvalidRequest, "PKCE is required: code_challenge with code_challenge_method=S256.").ConfigureAwait(false);
            return;
        }

        if (challenge.Length != 43 || !Pkce.IsValue(challenge))
        {
            await back.ErrorAsync(Errors.InvalidRequest, "code_challenge must be the 43-character base64url SHA-256 of the verifier.").ConfigureAwait(false);
            return;
        }

        // 5. Scopes the app is allowed; none asked means all it is allowed.
        string[] scopes = Get(query, Parameters.Scope) is { } scope ? OAuthProtocol.ReadScopes(scope) : [.. app.AllowedScopes];
        if (scopes.Length == 0 || scopes.Any(s => !app.AllowedScopes.Contains(s, StringComparer.Ordinal)))
        {
            await back.ErrorAsync(Errors.InvalidScope, "A requested scope is unknown or not allowed for this app.").ConfigureAwait(false);
            return;
        }

        var prompts = (Get(query, Parameters.Prompt) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var promptNone = prompts.Contains(Values.PromptNone, StringComparer.Ordinal);
        var promptConsent = prompts.Contains(Values.PromptConsent, StringComparer.Ordinal);
        if (promptNone && prompts.Length > 1)
        {
            await back.ErrorAsync(Errors.InvalidRequest, "prompt=none cannot be combined with other values.").ConfigureAwait(false);
            return;
        }

        // 6. A signed-in user, from the host's interactive scheme; the challenge comes back to this same request.
        var signedIn = await context.AuthenticateAsync(options.InteractiveScheme).ConfigureAwait(false);
        if (!signedIn.Succeeded || signedIn.Principal?.FindFirst(options.UserIdClaimType)?.Value is not { Length: > 0 } userId)
        {
            if (promptNone)
            {
                await back.ErrorAsync(Errors.LoginRequired, "The user is not signed in.").ConfigureAwait(false);
                return;
            }

            var here = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            await context.ChallengeAsync(options.InteractiveScheme, new AuthenticationProperties { RedirectUri = here }).ConfigureAwait(false);
            return;
        }

        var principals = services.GetRequiredService<VezaPrincipalResolver>();
        var teams = await principals.TeamsOfAsync(userId, context.RequestAborted).ConfigureAwait(false);
        if (teams.Count == 0)
        {
            await back.ErrorAsync(Errors.AccessDenied, "The user holds no role in any team.").ConfigureAwait(false);
            return;
        }

        // 7. Consent: remembered per user, app, team and scopes; asked again for prompt=consent.
        var request = new Approved(app.Id, userId, scopes, redirectUri, challenge);
        context.User = signedIn.Principal!;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            await DecideAsync(context, grants, back, request, teams).ConfigureAwait(false);
            return;
        }

        var remembered = (await grants.Consents.ListAsync(userId, app.Id, context.RequestAborted).ConfigureAwait(false))
            .Where(c => teams.Any(t => t.Id == c.TeamId) && scopes.All(s => c.Scopes.Contains(s, StringComparer.Ordinal)))
            .ToList();
        if (!promptConsent && remembered.Count == 1)
        {
            await IssueAsync(context, grants, back, request, remembered[0].TeamId).ConfigureAwait(false);
            return;
        }

        if (promptNone)
        {
            await back.ErrorAsync(Errors.ConsentRequired, "The user has not consented to this request.").ConfigureAwait(false);
            return;
        }

        var antiforgery = services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var descriptions = options.ScopeDescriptions;
        var model = new VezaConsentPageModel
        {
            AppName = app.Name,
            AppId = app.Id,
            BaseUrl = settings.BaseUrl,
            UserName = await principals.DisplayNameOfAsync(userId, context.RequestAborted).ConfigureAwait(false) ?? userId,
            Scopes = [.. scopes.Select(s => new VezaScopeText(s, descriptions.TryGetValue(s, out var words) ? words : s))],
            Teams = teams,
            FormAction = context.Request.PathBase + context.Request.Path + context.Request.QueryString,
            AntiforgeryField = antiforgery.FormFieldName,
            AntiforgeryToken = antiforgery.RequestToken!,
        };
        // The form posts here, and its answer redirects to the app: browsers apply form-action to that redirect too.
        PageHeaders(context.Response, StatusCodes.Status200OK, new Uri(redirectUri).GetLeftPart(UriPartial.Authority));
        var page = services.GetService<IVezaConsentPage>() ?? new DefaultConsentPage();
        await page.RenderAsync(context, model, context.RequestAborted).ConfigureAwait(false);
    }

    // The consent form's answer: antiforgery first, then Allow (with one of the user's teams) or Deny.
    private static async Task DecideAsync(HttpContext context, UserGrants grants, Reply back, Approved request, IReadOnlyList<VezaTeam> teams)
    {
        IFormCollection form;
        try
        {
            if (!context.Request.HasFormContentType)
            {
                throw new AntiforgeryValidationException("The consent answer is not a form.");
            }

            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context).ConfigureAwait(false);
            form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException or IOException)
        {
            await ErrorPageAsync(context, 400, "The form has expired or did not come from this site. Go back to the app and start again.").ConfigureAwait(false);
            return;
        }

        var decision = form[VezaConsentPageModel.DecisionField].ToString();
        if (decision == "deny")
        {
            await AuditAsync(context, VezaAuditActions.ConsentDeny, "denied", request.AppId, null).ConfigureAwait(false);
            await back.ErrorAsync(Errors.AccessDenied, "The user denied the request.").ConfigureAwait(false);
            return;
        }

        var teamId = form[VezaConsentPageModel.TeamField].ToString();
        if (decision != "allow" || !teams.Any(t => t.Id == teamId))
        {
            await ErrorPageAsync(context, 400, "Choose Allow or Deny, and one of your teams.").ConfigureAwait(false);
            return;
        }

        await IssueAsync(context, grants, back, request, teamId, consented: true).ConfigureAwait(false);
    }

    // The answer is made before anything is saved, so nothing is saved for an answer that cannot be sent.
    private static async Task IssueAsync(HttpContext context, UserGrants grants, Reply back, Approved request, string teamId, bool consented = false)
    {
        var code = UserGrants.NewHandle();
        var location = back.Location(Parameters.Code, code);
        if (consented)
        {
            var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            await grants.Consents.SaveAsync(new OAuthConsentRecord(request.UserId, request.AppId, teamId, request.Scopes, now), context.RequestAborted)
                .ConfigureAwait(false);
            await AuditAsync(context, VezaAuditActions.ConsentGrant, "success", request.AppId, teamId).ConfigureAwait(false);
        }

        await grants.IssueCodeAsync(code, request.AppId, request.UserId, teamId, request.Scopes, request.RedirectUri, request.Challenge, context.RequestAborted)
            .ConfigureAwait(false);
        await AuditAsync(context, VezaAuditActions.Authorize, "code_issued", request.AppId, teamId).ConfigureAwait(false);
        back.Redirect(location);
    }

    private static ValueTask AuditAsync(HttpContext context, string action, string outcome, string appId, string? teamId)
    {
        var userId = context.User.FindFirst(context.RequestServices.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.OAuth2.UserIdClaimType)?.Value;
        var actor = VezaAuditActor.FromRequest(context, userId is null ? "anonymous" : VezaPrincipalResolver.UserSubject(userId), null, null);
        return context.RequestServices.GetRequiredService<IVezaAuditSink>().WriteAsync(
            actor.Event(action, outcome, "oauth2_app", appId, teamId, context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()), CancellationToken.None);
    }

    // A request that cannot be answered to the app: logged at Debug, counted, and audited aggregated, like every refusal.
    private static async Task RefuseOnPageAsync(HttpContext context, string? clientId, string reason, string message)
    {
        await context.RequestServices.GetRequiredService<RefusalAuditor>().RecordAsync(context, VezaAuditActions.AuthorizeRefuse, Errors.InvalidRequest, "oauth2_app",
            ClientSecretVerifier.IsPlausible(clientId) ? clientId : null, reason).ConfigureAwait(false);
        await ErrorPageAsync(context, StatusCodes.Status400BadRequest, message).ConfigureAwait(false);
    }

    private static async Task ErrorPageAsync(HttpContext context, int status, string message)
    {
        PageHeaders(context.Response, status);
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization error</title></head><body><h1>Authorization error</h1><p id=\"error\">"
            + HtmlEncoder.Default.Encode(message) + "</p></body></html>", context.RequestAborted).ConfigureAwait(false);
    }

    private static void PageHeaders(HttpResponse response, int status, string? redirectOrigin = null)
    {
        response.StatusCode = status;
        OAuthProtocol.NoStore(response);
        response.Headers.XFrameOptions = "DENY";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; form-action 'self'"
            + (redirectOrigin is null ? string.Empty : " " + redirectOrigin) + "; frame-ancestors 'none'";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static string? Get(IQueryCollection query, string name) => query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value[0]) ? value[0] : null;

    private sealed record Approved(string AppId, string UserId, string[] Scopes, string RedirectUri, string Challenge);

    // The answer to a trusted redirect URI, with state and iss (RFC 9207) on every answer.
    private sealed class Reply(HttpContext context, string redirectUri, string? state, string issuer, string appId)
    {
        public async Task ErrorAsync(string error, string description)
        {
            var location = Location(Parameters.Error, error, description);
            await context.RequestServices.GetRequiredService<RefusalAuditor>().RecordAsync(context, VezaAuditActions.AuthorizeRefuse, error, "oauth2_app", appId, description)
                .ConfigureAwait(false);
            Redirect(location);
        }

        /// <summary>The redirect that answers the app (the redirect URI is RFC 3986 ASCII, and every value is escaped).</summary>
        public string Location(string name, string value, string? description = null)
        {
            var parameters = new List<KeyValuePair<string, string?>> { new(name, value) };
            if (description is not null)
            {
                parameters.Add(new(Parameters.ErrorDescription, description));
            }

            if (state is not null)
            {
                parameters.Add(new(Parameters.State, state));
            }

            parameters.Add(new(Parameters.Iss, issuer));
            return QueryHelpers.AddQueryString(redirectUri, parameters);
        }

        public void Redirect(string location)
        {
            OAuthProtocol.NoStore(context.Response);
            context.Response.Redirect(location);
        }
    }
}
