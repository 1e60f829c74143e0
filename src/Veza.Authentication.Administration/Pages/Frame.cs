using Microsoft.AspNetCore.Http;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>What the API Keys tabs share: the tab bar, messages after an action, the list toolbar and pager, fields
/// with their errors, confirmations and the one-time view of a secret.</summary>
internal static class Frame
{
    // Messages shown after a change, by the code the redirect carries (never text from the request).
    private static readonly Dictionary<string, string> Done = new(StringComparer.Ordinal)
    {
        ["renamed"] = "Renamed.",
        ["revoked"] = "Revoked: it no longer authenticates.",
        ["reinstated"] = "Reinstated: it authenticates again.",
        ["deleted"] = "Deleted.",
        ["secret-removed"] = "The secret was removed: it no longer authenticates.",
        ["saved"] = "Saved.",
        ["access-removed"] = "Access removed: the app's tokens are refused.",
        ["oauth2-on"] = "The OAuth2 authorization server is on.",
        ["oauth2-off"] = "The OAuth2 authorization server is off.",
    };

    public static Task WriteAsync(AdminRequest request, int status, string title, ICredentialTab tab, Markup content)
    {
        var html = new Html(8192);
        html.Add($"<h1>API Keys</h1><nav class=\"tabs\" aria-label=\"Credential kinds\"><ul>");
        foreach (var each in CredentialTabs.All.Where(t => t.IsVisibleTo(request)))
        {
            var link = request.Url("/api-keys/" + each.Slug);
            html.Add(each.Slug == tab.Slug
                ? Html.Of($"<li><a href=\"{link}\" aria-current=\"page\">{each.Title}</a></li>")
                : Html.Of($"<li><a href=\"{link}\">{each.Title}</a></li>"));
        }

        html.Add($"</ul></nav>").Add(Flash(request)).Add(content);
        return Layout.WriteAsync(request, status, title, Section.ApiKeys, html.ToMarkup());
    }

    /// <summary>The message of a change just made, from the known codes only.</summary>
    public static Markup Flash(AdminRequest request)
        => Done.TryGetValue(request.Query("done"), out var message)
            ? Html.Of($"<p class=\"alert success\" role=\"status\" id=\"page-message\">{message}</p>")
            : Markup.Empty;

    public static Markup Error(string? message)
        => string.IsNullOrEmpty(message) ? Markup.Empty : Html.Of($"<p class=\"alert error\" role=\"alert\" id=\"page-error\">{Words(message)}</p>");

    /// <summary>The filter by name and the Add button above a list.</summary>
    public static Markup Toolbar(AdminRequest request, ICredentialTab tab, string addText, bool canAdd)
    {
        var html = new Html();
        html.Add($"<div class=\"toolbar\"><form class=\"filter\" method=\"get\" action=\"{request.BasePath}/api-keys/{tab.Slug}\" role=\"search\">");
        if (request.ChosenTeam is { } team)
        {
            html.Add($"<input type=\"hidden\" name=\"{AdminRequest.TeamField}\" value=\"{team}\">");
        }

        html.Add($"<div><label for=\"filter-name\">Filter by name</label><input type=\"search\" id=\"filter-name\" name=\"name\" value=\"{request.Query("name")}\"></div>")
            .Add($"<button type=\"submit\">Filter</button></form>");
        if (canAdd)
        {
            html.Add($"<a class=\"button primary\" id=\"add\" href=\"{request.Url("/api-keys/" + tab.Slug + "/new")}\">{addText}</a>");
        }

        return html.Add($"</div>").ToMarkup();
    }

    /// <summary>Keyset paging: the first page, and the next one after the last id shown.</summary>
    public static Markup Pager(AdminRequest request, ICredentialTab tab, bool hasMore, string? lastId)
    {
        var name = request.Query("name");
        var html = new Html().Add($"<nav class=\"pager\" aria-label=\"Pages\">");
        if (request.Query("after").Length > 0)
        {
            html.Add($"<a href=\"{request.Url("/api-keys/" + tab.Slug, ("name", name))}\">First page</a>");
        }

        if (hasMore && lastId is not null)
        {
            html.Add($"<a href=\"{request.Url("/api-keys/" + tab.Slug, ("name", name), ("after", lastId))}\" rel=\"next\">Next page</a>");
        }

        return html.Add($"</nav>").ToMarkup();
    }

    public static Markup Status(bool active)
        => active ? Html.Of($"<span class=\"status-active\">Active</span>") : Html.Of($"<span class=\"status-inactive\">Revoked</span>");

    /// <summary>A text field with its label, hint and error (tied to it for screen readers).</summary>
    public static Markup TextField(string id, string label, string? value, string? error, string? hint = null, string type = "text", bool required = true)
    {
        var html = new Html().Add($"<label for=\"{id}\">{label}</label>");
        var described = string.Join(' ', new[] { hint is null ? null : id + "-hint", error is null ? null : id + "-error" }.OfType<string>());
        html.Add($"<input type=\"{type}\" id=\"{id}\" name=\"{id}\" value=\"{value}\"")
            .Add(required ? Html.Of($" required") : Markup.Empty)
            .Add(described.Length > 0 ? Html.Of($" aria-describedby=\"{described}\"") : Markup.Empty)
            .Add(error is null ? Markup.Empty : Html.Of($" aria-invalid=\"true\""))
            .Add($">");
        return html.Add(Hint(id, hint)).Add(FieldError(id, error)).ToMarkup();
    }

    /// <summary>A choice of team: a list when there are several, the one team otherwise.</summary>
    public static Markup TeamField(IReadOnlyList<VezaTeam> teams, string? selected, string? error)
    {
        if (teams.Count == 1)
        {
            return Html.Of($"<p>Team: <strong id=\"team-name\">{teams[0].Name}</strong></p><input type=\"hidden\" name=\"team_id\" value=\"{teams[0].Id}\">{FieldError("team_id", error)}");
        }

        var html = new Html().Add($"<label for=\"team_id\">Team</label><select id=\"team_id\" name=\"team_id\" required")
            .Add(error is null ? Markup.Empty : Html.Of($" aria-invalid=\"true\" aria-describedby=\"team_id-error\"")).Add($">");
        foreach (var team in teams)
        {
            html.Add(team.Id == selected ? Html.Of($"<option value=\"{team.Id}\" selected>{team.Name}</option>") : Html.Of($"<option value=\"{team.Id}\">{team.Name}</option>"));
        }

        return html.Add($"</select>").Add(FieldError("team_id", error)).ToMarkup();
    }

    public static Markup Hint(string id, string? hint) => hint is null ? Markup.Empty : Html.Of($"<p class=\"hint\" id=\"{id}-hint\">{hint}</p>");

    public static Markup FieldError(string id, string? error)
        => error is null ? Markup.Empty : Html.Of($"<span class=\"field-error\" id=\"{id}-error\" role=\"alert\">{Words(error)}</span>");

    /// <summary>Asks before a destructive action; the action is a POST from this page only.</summary>
    public static Task ConfirmAsync(AdminRequest request, ICredentialTab tab, string title, string question, string consequence, string action, string button,
        string back)
        => WriteAsync(request, StatusCodes.Status200OK, title, tab, Html.Of(
            $"<div class=\"card\"><h2>{question}</h2><p class=\"alert warning\">{consequence}</p><form method=\"post\" action=\"{action}\">{request.FormFields()}"
            + $"<div class=\"actions\"><button type=\"submit\" class=\"danger primary\" id=\"confirm\">{button}</button><a href=\"{back}\" id=\"cancel\">Cancel</a></div></form></div>"));

    /// <summary>The one-time view of a new secret: shown in this response only, never in a URL, never cached.</summary>
    public static Task SecretAsync(AdminRequest request, ICredentialTab tab, string title, Markup facts, string secretLabel, string secret, string back)
    {
        request.Http.Response.Headers.CacheControl = "no-store";
        return WriteAsync(request, StatusCodes.Status200OK, title, tab, Html.Of(
            $"<div class=\"card\"><h2 id=\"secret-title\">{title}</h2>{facts}"
            + $"<p class=\"alert warning\" role=\"alert\">Copy the {secretLabel} now and keep it somewhere safe. It will not be shown again: if it is lost, create a new one.</p>"
            + $"<p><strong id=\"secret-label\">{secretLabel[..1].ToUpperInvariant() + secretLabel[1..]}</strong></p>"
            + $"<div class=\"secret\"><code id=\"secret-value\" aria-labelledby=\"secret-label\">{secret}</code>"
            + $"<button type=\"button\" data-copy=\"secret-value\" data-copy-status=\"copy-status\" hidden>Copy</button></div>"
            + $"<p id=\"copy-status\" role=\"status\" class=\"muted\"></p><p><a class=\"button\" id=\"done\" href=\"{back}\">Done</a></p></div>"));
    }

    /// <summary>An error of a service, with its API field names put in words.</summary>
    public static string Words(string message)
    {
        var words = message.Replace("access_token_lifetime", "The access token lifetime", StringComparison.Ordinal)
            .Replace("base_url", "The Base URL", StringComparison.Ordinal)
            .Replace("team_id", "The team", StringComparison.Ordinal)
            .Replace("client_id", "The client id", StringComparison.Ordinal);
        return words.Length > 0 && char.IsLower(words[0]) ? char.ToUpperInvariant(words[0]) + words[1..] : words;
    }
}
