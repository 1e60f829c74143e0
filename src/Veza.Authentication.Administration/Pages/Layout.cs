using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>The top-level sections of the pages, as the header's navigation shows them.</summary>
internal enum Section
{
    None,
    ApiKeys,
    SignInSettings,
    AuthorizedApps,
}

/// <summary>The frame of every page: the document, the header with the sections and who is signed in, and the
/// pages that have no section (errors, the choice of a team).</summary>
internal static class Layout
{
    public static Task WriteAsync(AdminRequest request, int status, string title, Section section, Markup body)
    {
        var html = new Html(8192);
        Head(html, request.BasePath, title);
        html.Add($"<header class=\"top\"><div class=\"bar\"><span class=\"brand\">Administration</span>")
            .Add($"<nav class=\"sections\" aria-label=\"Administration\"><ul>")
            .Add(SectionLink(request, Section.ApiKeys, section, "/api-keys/personal", "API Keys"));
        var services = request.Http.RequestServices;
        if (request.Caller.IsRootAdministrator && StoreRegistrations.HasOAuth2(services))
        {
            html.Add(SectionLink(request, Section.SignInSettings, section, "/sign-in-settings", "Sign-in Settings"));
        }

        if (StoreRegistrations.HasOAuth2Apps(services))
        {
            html.Add(SectionLink(request, Section.AuthorizedApps, section, "/authorized-apps", "Authorized apps"));
        }

        html.Add($"</ul></nav><span class=\"who\">Signed in as <strong id=\"signed-in-user\">{request.User.DisplayName}</strong>")
            .Add($" in <span id=\"acting-team\">{request.TeamName}</span></span>");
        if (request.UserTeams.Count > 1)
        {
            // A user of several teams acts in one at a time; switching is a plain GET form.
            // A GET page switches in place; after a POST, the switch starts from API Keys.
            var switchTo = HttpMethods.IsGet(request.Http.Request.Method)
                ? (request.Http.Request.PathBase + request.Http.Request.Path).ToString()
                : request.BasePath + "/api-keys/personal";
            html.Add($"<form method=\"get\" action=\"{switchTo}\" class=\"inline\">")
                .Add($"<label class=\"inline\" for=\"switch-team\">Team</label><select id=\"switch-team\" name=\"{AdminRequest.TeamField}\">");
            foreach (var team in request.UserTeams)
            {
                html.Add(team.Id == request.Caller.TeamId
                    ? Html.Of($"<option value=\"{team.Id}\" selected>{team.Name}</option>")
                    : Html.Of($"<option value=\"{team.Id}\">{team.Name}</option>"));
            }

            html.Add($"</select> <button type=\"submit\">Switch</button></form>");
        }

        if (request.Options.AccountPath is { Length: > 0 } account)
        {
            html.Add($"<a href=\"{request.Http.Request.PathBase + account}\">Account</a>");
        }

        html.Add($"</div></header><main id=\"content\">").Add(body).Add($"</main></body></html>");
        return SendAsync(request.Http, status, html);
    }

    /// <summary>A page for a request that has no caller (yet): an error in words, never a stack trace.</summary>
    public static Task ErrorAsync(HttpContext http, string basePath, int status, string title, string message)
    {
        var html = new Html();
        Head(html, basePath, title);
        html.Add($"<main class=\"narrow\"><div class=\"card\"><h1>{title}</h1><p class=\"alert error\" role=\"alert\" id=\"page-error\">{message}</p>")
            .Add($"<p><a href=\"{basePath}/api-keys/personal\">Back to Administration</a></p></div></main></body></html>");
        return SendAsync(http, status, html);
    }

    /// <summary>For a user of several teams who has not chosen one: the teams to act in.</summary>
    public static Task ChooseTeamAsync(HttpContext http, string basePath, VezaUser user, IReadOnlyList<VezaTeam> teams)
    {
        if (teams.Count == 0)
        {
            return ErrorAsync(http, basePath, StatusCodes.Status403Forbidden, "No access",
                "You hold no role in any team, so there is nothing here for you to manage.");
        }

        var html = new Html();
        Head(html, basePath, "Choose a team");
        html.Add($"<main class=\"narrow\"><div class=\"card\"><h1>Choose a team</h1>")
            .Add($"<p>{user.DisplayName}, you hold roles in several teams. Choose the team to act in; you can switch at any time.</p><ul class=\"plain\">");
        var here = http.Request.PathBase + http.Request.Path;
        foreach (var team in teams)
        {
            html.Add($"<li><a href=\"{QueryHelpers.AddQueryString(here, AdminRequest.TeamField, team.Id)}\">{team.Name}</a></li>");
        }

        html.Add($"</ul></div></main></body></html>");
        return SendAsync(http, StatusCodes.Status200OK, html);
    }

    public static Task NotFoundAsync(AdminRequest request)
        => WriteAsync(request, StatusCodes.Status404NotFound, "Not found", Section.None,
            Html.Of($"<h1>Not found</h1><p class=\"alert error\" role=\"alert\" id=\"page-error\">There is no such page, or nothing with that id that you may see.</p>"));

    /// <summary>A refusal or failure from a service, in its words, on a page of its section.</summary>
    public static Task MessageAsync(AdminRequest request, int status, string title, Section section, string message)
        => WriteAsync(request, status, title, section,
            Html.Of($"<h1>{title}</h1><p class=\"alert error\" role=\"alert\" id=\"page-error\">{message}</p>"));

    private static void Head(Html html, string basePath, string title)
        => html.Add($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Add($"<title>{title} · Administration</title>")
            .Add($"<link rel=\"stylesheet\" href=\"{basePath}/assets/{VezaStyleSheet.FileName}?v={VezaStyleSheet.Version}\">")
            .Add($"<script src=\"{basePath}/assets/admin.js?v={AdministrationEndpoints.ScriptVersion}\" defer></script></head><body>");

    private static Markup SectionLink(AdminRequest request, Section section, Section current, string path, string text)
        => section == current
            ? Html.Of($"<li><a href=\"{request.Url(path)}\" aria-current=\"page\">{text}</a></li>")
            : Html.Of($"<li><a href=\"{request.Url(path)}\">{text}</a></li>");

    private static Task SendAsync(HttpContext http, int status, Html html)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        return http.Response.WriteAsync(html.ToString(), http.RequestAborted);
    }
}
