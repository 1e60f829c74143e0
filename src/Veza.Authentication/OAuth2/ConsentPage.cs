using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Renders the page on which a signed-in user allows or denies an OAuth2 app. The library ships a plain one; a host
/// registers its own implementation (a singleton) to match its look. The page must post a form to
/// <see cref="VezaConsentPageModel.FormAction"/> with the antiforgery field, the decision field set to
/// <c>allow</c> or <c>deny</c>, and the chosen team. Security headers (no-store, <c>frame-ancestors 'none'</c>,
/// <c>X-Frame-Options: DENY</c>) are set by the library before the page is rendered.
/// </summary>
public interface IVezaConsentPage
{
    /// <summary>Writes the page to the response.</summary>
    /// <param name="context">The request; its response has the status and security headers set.</param>
    /// <param name="model">What the page shows and posts.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    Task RenderAsync(HttpContext context, VezaConsentPageModel model, CancellationToken cancellationToken);
}

/// <summary>What the consent page shows and posts back.</summary>
public sealed record VezaConsentPageModel
{
    /// <summary>The name of the field that carries the decision.</summary>
    public const string DecisionField = "decision";

    /// <summary>The name of the field that carries the chosen team id.</summary>
    public const string TeamField = "team_id";

    /// <summary>The app's Client Name.</summary>
    public required string AppName { get; init; }

    /// <summary>The app's client id.</summary>
    public required string AppId { get; init; }

    /// <summary>The app's Base URL.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>The signed-in user's display name.</summary>
    public required string UserName { get; init; }

    /// <summary>The scopes asked for, each with words for it.</summary>
    public required IReadOnlyList<VezaScopeText> Scopes { get; init; }

    /// <summary>The teams the user may let the app act in (one or more); the token acts in the one chosen.</summary>
    public required IReadOnlyList<Stores.VezaTeam> Teams { get; init; }

    /// <summary>Where the form posts to (the authorization request itself).</summary>
    public required string FormAction { get; init; }

    /// <summary>The antiforgery field's name.</summary>
    public required string AntiforgeryField { get; init; }

    /// <summary>The antiforgery field's value.</summary>
    public required string AntiforgeryToken { get; init; }
}

/// <summary>A scope and the words the consent page shows for it.</summary>
/// <param name="Name">The scope.</param>
/// <param name="Description">What it lets the app do.</param>
public sealed record VezaScopeText(string Name, string Description);

/// <summary>The built-in consent page: one small HTML form with the library's stylesheet, no script, nothing loaded from
/// elsewhere.</summary>
internal sealed class DefaultConsentPage : IVezaConsentPage
{
    public async Task RenderAsync(HttpContext context, VezaConsentPageModel model, CancellationToken cancellationToken)
    {
        var h = HtmlEncoder.Default;
        // The stylesheet is served beside the authorization endpoint, which is where this page is shown.
        var styleSheet = context.Request.PathBase + context.Request.Path + "/" + VezaStyleSheet.FileName + "?v=" + VezaStyleSheet.Version;
        var html = new StringBuilder(2048);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Allow ").Append(h.Encode(model.AppName)).Append("?</title>")
            .Append("<link rel=\"stylesheet\" href=\"").Append(h.Encode(styleSheet)).Append("\"></head><body><main class=\"narrow\"><div class=\"card\">")
            .Append("<h1>Allow <span id=\"app-name\">").Append(h.Encode(model.AppName)).Append("</span> to act for you?</h1>")
            .Append("<p class=\"muted\">Signed in as ").Append(h.Encode(model.UserName)).Append(". The app is at <span id=\"app-url\">")
            .Append(h.Encode(model.BaseUrl)).Append("</span>.</p>")
            .Append("<form method=\"post\" action=\"").Append(h.Encode(model.FormAction)).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(h.Encode(model.AntiforgeryField)).Append("\" value=\"").Append(h.Encode(model.AntiforgeryToken)).Append("\">")
            .Append("<p>It will be able to:</p><ul id=\"scopes\" class=\"plain\">");
        foreach (var scope in model.Scopes)
        {
            // A scope without words of its own is shown once, by its name.
            html.Append("<li>");
            if (string.IsNullOrWhiteSpace(scope.Description) || scope.Description == scope.Name)
            {
                html.Append("<code>").Append(h.Encode(scope.Name)).Append("</code>");
            }
            else
            {
                html.Append(h.Encode(scope.Description)).Append(" <span class=\"muted\">(<code>").Append(h.Encode(scope.Name)).Append("</code>)</span>");
            }

            html.Append("</li>");
        }

        html.Append("</ul>");
        if (model.Teams.Count == 1)
        {
            html.Append("<p>It will act in the team <strong>").Append(h.Encode(model.Teams[0].Name)).Append("</strong>, with your roles there.</p>")
                .Append("<input type=\"hidden\" name=\"").Append(VezaConsentPageModel.TeamField).Append("\" value=\"").Append(h.Encode(model.Teams[0].Id)).Append("\">");
        }
        else
        {
            html.Append("<label for=\"team\">Team</label><select id=\"team\" name=\"").Append(VezaConsentPageModel.TeamField).Append("\">");
            foreach (var team in model.Teams)
            {
                html.Append("<option value=\"").Append(h.Encode(team.Id)).Append("\">").Append(h.Encode(team.Name)).Append("</option>");
            }

            html.Append("</select><p class=\"hint\">The app acts in the team you choose, with your roles there.</p>");
        }

        html.Append("<div class=\"actions\"><button type=\"submit\" class=\"primary\" name=\"").Append(VezaConsentPageModel.DecisionField).Append("\" value=\"allow\">Allow</button>")
            .Append("<button type=\"submit\" name=\"").Append(VezaConsentPageModel.DecisionField).Append("\" value=\"deny\">Deny</button></div>")
            .Append("</form></div></main></body></html>");
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html.ToString(), cancellationToken).ConfigureAwait(false);
    }
}
