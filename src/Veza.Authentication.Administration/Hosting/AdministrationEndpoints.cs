using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Administration.Pages;
using Veza.Authentication.Credentials;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Hosting;

/// <summary>
/// The routes of the pages and what every request goes through: the host's signed-in user (never a bearer credential),
/// the caller the services decide with, antiforgery on every POST, the security headers, and errors as pages in words.
/// </summary>
internal static partial class AdministrationEndpoints
{
    private static readonly (byte[] Bytes, string ETag) Script =
        VezaStyleSheet.ReadResource(typeof(AdministrationEndpoints).Assembly, "Veza.Authentication.Administration.admin.js");

    /// <summary>A short fingerprint of the script, for links that change when it does.</summary>
    public static string ScriptVersion => Script.ETag[1..9];

    /// <summary>The largest form the pages accept.</summary>
    private const long MaxFormBytes = 64 * 1024;

    private static readonly FormOptions FormLimits = new()
    {
        ValueCountLimit = 200,
        KeyLengthLimit = 256,
        ValueLengthLimit = 16 * 1024,
        MultipartBodyLengthLimit = MaxFormBytes,
        BufferBodyLengthLimit = MaxFormBytes,
    };

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        var services = endpoints.ServiceProvider;
        if (services.GetService<AdministrationMarker>() is null)
        {
            throw new InvalidOperationException("MapVezaAdministration needs AddVezaAdministration() on the services.");
        }

        var scheme = services.GetRequiredService<IOptions<VezaAdministrationOptions>>().Value.AuthenticationScheme
            ?? services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.OAuth2.InteractiveScheme;
        if (string.IsNullOrEmpty(scheme))
        {
            throw new InvalidOperationException("The Administration pages need the host's interactive sign-in scheme: set "
                + "VezaAuthenticationOptions.OAuth2.InteractiveScheme or VezaAdministrationOptions.AuthenticationScheme.");
        }

        var basePath = prefix.TrimEnd('/');
        var group = endpoints.MapGroup(basePath);
        group.ExcludeFromDescription();
        // Only the host's signed-in user: the policy names the interactive scheme alone, so an API key or an access
        // token in an Authorization header is never even read here, and nobody signed in is sent to sign in.
        group.RequireAuthorization(new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().Build());

        group.MapMethods("/assets/" + VezaStyleSheet.FileName, [HttpMethods.Get, HttpMethods.Head], VezaStyleSheet.WriteAsync).AllowAnonymous();
        group.MapMethods("/assets/admin.js", [HttpMethods.Get, HttpMethods.Head],
            c => VezaStyleSheet.WriteAsync(c, Script.Bytes, Script.ETag, "text/javascript; charset=utf-8")).AllowAnonymous();

        void Page(string method, string pattern, Func<AdminRequest, RouteValueDictionary, Task> handler)
            => group.MapMethods(pattern, [method], (HttpContext c) => RunAsync(c, basePath, handler));

        Page("GET", "", (r, _) => Redirect(r, "/api-keys/personal"));
        Page("GET", "/api-keys", (r, _) => Redirect(r, "/api-keys/personal"));
        Page("GET", "/api-keys/{tab}", (r, v) => Tab(r, v).ListAsync(r));
        Page("GET", "/api-keys/{tab}/new", (r, v) => Tab(r, v).NewAsync(r));
        Page("POST", "/api-keys/{tab}/new", (r, v) => Tab(r, v).CreateAsync(r));
        Page("GET", "/api-keys/{tab}/{id}", (r, v) => Tab(r, v).ShowAsync(r, Id(v)));
        Page("POST", "/api-keys/{tab}/{id}/rename", (r, v) => Tab(r, v).RenameAsync(r, Id(v)));
        Page("GET", "/api-keys/{tab}/{id}/edit", (r, v) => Tab(r, v).EditAsync(r, Id(v), save: false));
        Page("POST", "/api-keys/{tab}/{id}/edit", (r, v) => Tab(r, v).EditAsync(r, Id(v), save: true));
        Page("POST", "/api-keys/{tab}/{id}/reinstate", (r, v) => Tab(r, v).ReinstateAsync(r, Id(v)));
        Page("GET", "/api-keys/{tab}/{id}/revoke", (r, v) => Tab(r, v).ConfirmAsync(r, Id(v), CredentialAction.Revoke));
        Page("POST", "/api-keys/{tab}/{id}/revoke", (r, v) => Tab(r, v).RevokeAsync(r, Id(v)));
        Page("GET", "/api-keys/{tab}/{id}/delete", (r, v) => Tab(r, v).ConfirmAsync(r, Id(v), CredentialAction.Delete));
        Page("POST", "/api-keys/{tab}/{id}/delete", (r, v) => Tab(r, v).DeleteAsync(r, Id(v)));
        Page("POST", "/api-keys/{tab}/{id}/secrets", (r, v) => Tab(r, v).AddSecretAsync(r, Id(v)));
        Page("GET", "/api-keys/{tab}/{id}/secrets/{secretId}/remove", (r, v) => Tab(r, v).ConfirmRemoveSecretAsync(r, Id(v), Value(v, "secretId")));
        Page("POST", "/api-keys/{tab}/{id}/secrets/{secretId}/remove", (r, v) => Tab(r, v).RemoveSecretAsync(r, Id(v), Value(v, "secretId")));
        Page("GET", "/sign-in-settings", (r, _) => SignInSettingsPage.ShowAsync(r));
        Page("GET", "/sign-in-settings/turn-off", (r, _) => SignInSettingsPage.ConfirmOffAsync(r));
        Page("POST", "/sign-in-settings", (r, _) => SignInSettingsPage.SetAsync(r));
        Page("GET", "/authorized-apps", (r, _) => AuthorizedAppsPage.ShowAsync(r));
        Page("GET", "/authorized-apps/{appId}/remove", (r, v) => AuthorizedAppsPage.ConfirmRemoveAsync(r, Value(v, "appId")));
        Page("POST", "/authorized-apps/{appId}/remove", (r, v) => AuthorizedAppsPage.RemoveAsync(r, Value(v, "appId")));
#pragma warning disable ASP0022 // a catch-all ranks below every route above
        group.Map("/{**rest}", c => RunAsync(c, basePath, (r, _) => Layout.NotFoundAsync(r)));
#pragma warning restore ASP0022
        return group;
    }

    private static ICredentialTab Tab(AdminRequest request, RouteValueDictionary values) => CredentialTabs.Find(Value(values, "tab"), request);

    private static string Id(RouteValueDictionary values) => Value(values, "id");

    private static string Value(RouteValueDictionary values, string name) => values[name]?.ToString() ?? string.Empty;

    private static Task Redirect(AdminRequest request, string path)
    {
        request.Http.Response.Redirect(request.Url(path));
        return Task.CompletedTask;
    }

    private static async Task RunAsync(HttpContext http, string mountPath, Func<AdminRequest, RouteValueDictionary, Task> handler)
    {
        var services = http.RequestServices;
        SecurityHeaders(http.Response);
        var basePath = http.Request.PathBase + mountPath;
        try
        {
            var options = services.GetRequiredService<IOptions<VezaAdministrationOptions>>().Value;
            var veza = services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value;
            var scheme = options.AuthenticationScheme ?? veza.OAuth2.InteractiveScheme!;
            var signedIn = await http.AuthenticateAsync(scheme).ConfigureAwait(false);
            if (!signedIn.Succeeded || signedIn.Principal is null)
            {
                await http.ChallengeAsync(scheme).ConfigureAwait(false);
                return;
            }

            // Antiforgery tokens are bound to this user, so a token taken from another user's page does not pass.
            http.User = signedIn.Principal;
            if (HttpMethods.IsPost(http.Request.Method) && !await ValidFormAsync(http).ConfigureAwait(false))
            {
                await Layout.ErrorAsync(http, basePath, StatusCodes.Status400BadRequest, "The form has expired",
                    "The form has expired or did not come from this page. Go back, reload the page and try again.").ConfigureAwait(false);
                return;
            }

            var request = await ResolveAsync(http, basePath, signedIn.Principal, veza).ConfigureAwait(false);
            if (request is not null)
            {
                await handler(request, http.Request.RouteValues).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The browser went away; nothing to answer.
        }
        catch (SecretCheckBusyException) when (!http.Response.HasStarted)
        {
            http.Response.Headers.RetryAfter = "1";
            await Layout.ErrorAsync(http, basePath, StatusCodes.Status503ServiceUnavailable, "The server is busy",
                "The server is busy checking secrets. Nothing was changed. Try again in a moment.").ConfigureAwait(false);
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Veza.Authentication.Administration");
            if (StoreFailures.IsStoreFailure(ex))
            {
                LogStoreUnavailable(logger, ex);
                http.Response.Headers.RetryAfter = "5";
                await Layout.ErrorAsync(http, basePath, StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
                    "The credential store cannot be reached right now, so this page cannot be shown or the change was not made. Try again in a minute.")
                    .ConfigureAwait(false);
            }
            else
            {
                LogPageFailed(logger, ex);
                await Layout.ErrorAsync(http, basePath, StatusCodes.Status500InternalServerError, "Something went wrong",
                    "The page could not be shown because of an unexpected error. It has been logged.").ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> ValidFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return false;
        }

        // The pages' forms are small: a body past this is refused before it is read, and one without a length is cut
        // off there by the server, with each value bounded too.
        if (http.Request.ContentLength > MaxFormBytes)
        {
            return false;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxFormBytes;
        }

        try
        {
            await http.Request.ReadFormAsync(FormLimits, http.RequestAborted).ConfigureAwait(false);
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException or IOException)
        {
            return false;
        }
    }

    // The caller for the signed-in user, in the team they chose when they hold roles in several.
    private static async Task<AdminRequest?> ResolveAsync(HttpContext http, string basePath, ClaimsPrincipal principal, VezaAuthenticationOptions veza)
    {
        var services = http.RequestServices;
        var directory = services.GetRequiredService<IVezaUserDirectory>();
        var userId = principal.FindFirst(veza.OAuth2.UserIdClaimType)?.Value;
        var user = string.IsNullOrEmpty(userId) ? null : await directory.FindUserAsync(userId, http.RequestAborted).ConfigureAwait(false);
        if (user is not { IsActive: true })
        {
            await Layout.ErrorAsync(http, basePath, StatusCodes.Status403Forbidden, "No access",
                "Your account is not active in this service, so it cannot use the Administration pages.").ConfigureAwait(false);
            return null;
        }

        var teams = new List<VezaTeam>();
        foreach (var teamId in await directory.GetTeamsAsync(user.Id, http.RequestAborted).ConfigureAwait(false))
        {
            if (await directory.FindTeamAsync(teamId, http.RequestAborted).ConfigureAwait(false) is { } team)
            {
                teams.Add(team);
            }
        }

        var chosen = http.Request.Query[AdminRequest.TeamField].ToString();
        if (chosen.Length == 0 && http.Request.HasFormContentType)
        {
            chosen = http.Request.Form[AdminRequest.TeamField].ToString();
        }

        var factory = services.GetRequiredService<VezaCallerFactory>();
        var caller = chosen.Length > 0
            ? await factory.ForUserAsync(user.Id, chosen, http.RequestAborted).ConfigureAwait(false)
            : await factory.FromPrincipalAsync(principal, http.RequestAborted).ConfigureAwait(false);
        if (caller is null)
        {
            await Layout.ChooseTeamAsync(http, basePath, user, teams).ConfigureAwait(false);
            return null;
        }

        if (caller.Kind != VezaCallerKind.InteractiveSignIn)
        {
            await Layout.ErrorAsync(http, basePath, StatusCodes.Status403Forbidden, "No access",
                "The Administration pages are for a signed-in user, not for a credential.").ConfigureAwait(false);
            return null;
        }

        return new AdminRequest(http, basePath, caller, user, teams, chosen.Length > 0 ? chosen : null);
    }

    /// <summary>Headers of every page: no framing, no inline script or style, nothing from elsewhere, never cached
    /// (pages show credentials, and the one-time views show secrets).</summary>
    internal static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'none'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "An Administration page could not reach a store.")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "An Administration page failed.")]
    private static partial void LogPageFailed(ILogger logger, Exception exception);
}

/// <summary>Marks the services as set up by <c>AddVezaAdministration</c>.</summary>
internal sealed class AdministrationMarker;
