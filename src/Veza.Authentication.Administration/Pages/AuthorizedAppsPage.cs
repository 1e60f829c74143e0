using Microsoft.AspNetCore.Http;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>Authorized apps: the apps the signed-in user has allowed, and Remove access, which withdraws the consent and
/// revokes the app's tokens for the user (every signed-in user, for themselves).</summary>
internal static class AuthorizedAppsPage
{
    private const string Title = "Authorized apps";

    public static async Task ShowAsync(AdminRequest request)
    {
        if (!StoreRegistrations.HasOAuth2Apps(request.Http.RequestServices))
        {
            await Layout.MessageAsync(request, StatusCodes.Status404NotFound, Title, Section.AuthorizedApps, "This service has no OAuth2 apps.").ConfigureAwait(false);
            return;
        }

        var listing = await request.Service<OAuthAppService>().ListConsentsAsync(null, request.Caller, request.Aborted).ConfigureAwait(false);
        if (listing.Result != OAuthClientResult.Success)
        {
            await Layout.MessageAsync(request, StatusCodes.Status403Forbidden, Title, Section.AuthorizedApps, listing.Error ?? "You may not see these.").ConfigureAwait(false);
            return;
        }

        var teams = new TeamNames(request);
        var html = new Html().Add($"<h1>{Title}</h1>").Add(Frame.Flash(request))
            .Add($"<p>Apps you have allowed to act for you. Removing access withdraws your consent and refuses the app's tokens at once; the app has to ask you again.</p>");
        if (listing.Items.Count == 0)
        {
            html.Add($"<p id=\"empty\" class=\"muted\">You have not allowed any app.</p>");
        }
        else
        {
            html.Add($"<table id=\"authorized-apps\"><thead><tr><th scope=\"col\">App</th><th scope=\"col\">Team</th><th scope=\"col\">Scopes</th><th scope=\"col\">Allowed</th>")
                .Add($"<th scope=\"col\"><span class=\"muted\">Action</span></th></tr></thead><tbody>");
            foreach (var entry in listing.Items.OrderBy(e => e.App?.Name ?? e.Consent.AppId, StringComparer.OrdinalIgnoreCase))
            {
                var name = entry.App?.Name ?? entry.Consent.AppId;
                var team = await teams.NameAsync(entry.Consent.TeamId).ConfigureAwait(false);
                html.Add($"<tr data-app=\"{entry.Consent.AppId}\"><td>{name}</td><td>{team}</td>")
                    .Add($"<td>{new Html().AddEach(entry.Consent.Scopes, s => Html.Of($"<code>{s}</code> ")).ToMarkup()}</td><td>{Html.When(entry.Consent.GrantedAt)}</td>")
                    .Add($"<td><a href=\"{request.Url($"/authorized-apps/{entry.Consent.AppId}/remove")}\" aria-label=\"Remove access of {name}\">Remove access</a></td></tr>");
            }

            html.Add($"</tbody></table>");
        }

        await Layout.WriteAsync(request, StatusCodes.Status200OK, Title, Section.AuthorizedApps, html.ToMarkup()).ConfigureAwait(false);
    }

    public static async Task ConfirmRemoveAsync(AdminRequest request, string appId)
    {
        var listing = await request.Service<OAuthAppService>().ListConsentsAsync(null, request.Caller, request.Aborted).ConfigureAwait(false);
        var entry = listing.Items.FirstOrDefault(e => e.Consent.AppId == appId);
        if (entry is null)
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var name = entry.App?.Name ?? appId;
        await Layout.WriteAsync(request, StatusCodes.Status200OK, "Remove access", Section.AuthorizedApps, Html.Of(
            $"<h1>{Title}</h1><div class=\"card\"><h2>Remove the access of “{name}”?</h2>"
            + $"<p class=\"alert warning\">The app can no longer act for you, in any of your teams: its tokens are refused from now on. It has to ask for your consent again.</p>"
            + $"<form method=\"post\" action=\"{request.BasePath}/authorized-apps/{appId}/remove\">{request.FormFields()}"
            + $"<div class=\"actions\"><button type=\"submit\" class=\"danger primary\" id=\"confirm\">Remove access</button><a href=\"{request.Url("/authorized-apps")}\" id=\"cancel\">Cancel</a></div></form></div>"))
            .ConfigureAwait(false);
    }

    public static async Task RemoveAsync(AdminRequest request, string appId)
    {
        var withdrawn = await request.Service<OAuthAppService>().WithdrawConsentAsync(null, appId, request.Caller, request.Aborted).ConfigureAwait(false);
        switch (withdrawn.Result)
        {
            case OAuthClientResult.Success:
                request.Http.Response.Redirect(request.Url("/authorized-apps", ("done", "access-removed")));
                break;
            case OAuthClientResult.NotFound:
                await Layout.NotFoundAsync(request).ConfigureAwait(false);
                break;
            default:
                await Layout.MessageAsync(request, StatusCodes.Status403Forbidden, Title, Section.AuthorizedApps, withdrawn.Error ?? "The access could not be removed.")
                    .ConfigureAwait(false);
                break;
        }
    }
}
