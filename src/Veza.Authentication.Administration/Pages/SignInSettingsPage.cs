using Microsoft.AspNetCore.Http;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>Sign-in Settings: the "OAuth2 Authorization Server" switch, through <see cref="SignInSettingsService"/>
/// (root-team administrators).</summary>
internal static class SignInSettingsPage
{
    private const string Title = "Sign-in Settings";

    public static async Task ShowAsync(AdminRequest request) => await ShowAsync(request, StatusCodes.Status200OK, null).ConfigureAwait(false);

    private static async Task ShowAsync(AdminRequest request, int status, string? error)
    {
        if (!StoreRegistrations.HasOAuth2(request.Http.RequestServices))
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var settings = await request.Service<SignInSettingsService>().GetAsync(request.Caller, request.Aborted).ConfigureAwait(false);
        if (settings is not { Result: SignInSettingsResult.Success, Settings: { } current })
        {
            await Layout.MessageAsync(request, StatusCodes.Status403Forbidden, Title, Section.SignInSettings, settings.Error ?? "You may not see the sign-in settings.")
                .ConfigureAwait(false);
            return;
        }

        var on = current.OAuth2Enabled;
        var html = new Html().Add($"<h1>{Title}</h1>").Add(Frame.Flash(request)).Add(Frame.Error(error))
            .Add($"<div class=\"card\"><h2>OAuth2 Authorization Server</h2>")
            .Add(on
                ? Html.Of($"<p>The server is <span class=\"state-on\" id=\"oauth2-state\">On</span>.</p>")
                : Html.Of($"<p>The server is <span class=\"state-off\" id=\"oauth2-state\">Off</span>.</p>"))
            .Add($"<p>When it is on, OAuth2 apps act for users who allow them, and OAuth2 clients get tokens for their team.</p>")
            .Add($"<p>Turning it off:</p><ul class=\"plain\" id=\"off-effects\"><li>refuses every access token of OAuth2 clients and apps at once;</li>")
            .Add($"<li>makes the OAuth2 endpoints (token, authorization, revocation, introspection, metadata and keys) answer 404;</li>")
            .Add($"<li>keeps the registered clients and apps, which cannot be created or changed until it is on again;</li>")
            .Add($"<li>leaves API keys working as before.</li></ul>");
        if (current.UpdatedAt is { } updated)
        {
            html.Add($"<p class=\"muted\">Last changed {Html.When(updated)}{(current.UpdatedBy is { } by ? " by " + by : string.Empty)}.</p>");
        }

        html.Add(on
            ? Html.Of($"<div class=\"actions\"><a class=\"button danger\" id=\"turn-off\" href=\"{request.Url("/sign-in-settings/turn-off")}\">Turn off</a></div>")
            : Html.Of($"<form method=\"post\" action=\"{request.BasePath}/sign-in-settings\">{request.FormFields()}<input type=\"hidden\" name=\"oauth2\" value=\"on\"><div class=\"actions\"><button type=\"submit\" class=\"primary\" id=\"turn-on\">Turn on</button></div></form>"))
            .Add($"</div>");
        await Layout.WriteAsync(request, status, Title, Section.SignInSettings, html.ToMarkup()).ConfigureAwait(false);
    }

    public static async Task ConfirmOffAsync(AdminRequest request)
    {
        if (!StoreRegistrations.HasOAuth2(request.Http.RequestServices))
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        if (!request.Caller.IsRootAdministrator)
        {
            await Layout.MessageAsync(request, StatusCodes.Status403Forbidden, Title, Section.SignInSettings,
                "Only an administrator of the root team may change the sign-in settings.").ConfigureAwait(false);
            return;
        }

        await Layout.WriteAsync(request, StatusCodes.Status200OK, "Turn off the OAuth2 server", Section.SignInSettings, Html.Of(
            $"<h1>{Title}</h1><div class=\"card\"><h2>Turn off the OAuth2 Authorization Server?</h2>"
            + $"<p class=\"alert warning\">Every access token of OAuth2 clients and apps is refused at once, and the OAuth2 endpoints answer 404 until it is turned on again. API keys keep working.</p>"
            + $"<form method=\"post\" action=\"{request.BasePath}/sign-in-settings\">{request.FormFields()}<input type=\"hidden\" name=\"oauth2\" value=\"off\">"
            + $"<div class=\"actions\"><button type=\"submit\" class=\"danger primary\" id=\"confirm\">Turn off</button><a href=\"{request.Url("/sign-in-settings")}\" id=\"cancel\">Cancel</a></div></form></div>"))
            .ConfigureAwait(false);
    }

    public static async Task SetAsync(AdminRequest request)
    {
        if (!StoreRegistrations.HasOAuth2(request.Http.RequestServices))
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var wanted = request.Field("oauth2");
        if (wanted is not ("on" or "off"))
        {
            await ShowAsync(request, StatusCodes.Status400BadRequest, "Choose to turn the server on or off.").ConfigureAwait(false);
            return;
        }

        var changed = await request.Service<SignInSettingsService>().SetOAuth2EnabledAsync(wanted == "on", request.Caller, request.Aborted).ConfigureAwait(false);
        switch (changed.Result)
        {
            case SignInSettingsResult.Success:
                request.Http.Response.Redirect(request.Url("/sign-in-settings", ("done", "oauth2-" + wanted)));
                break;
            case SignInSettingsResult.Forbidden:
                await Layout.MessageAsync(request, StatusCodes.Status403Forbidden, Title, Section.SignInSettings, changed.Error ?? "You may not change the sign-in settings.")
                    .ConfigureAwait(false);
                break;
            default:
                await ShowAsync(request, StatusCodes.Status409Conflict, "Someone else changed the settings at the same moment. Check the state below and try again.")
                    .ConfigureAwait(false);
                break;
        }
    }
}
