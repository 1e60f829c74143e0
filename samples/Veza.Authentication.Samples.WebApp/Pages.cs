using System.Text.Encodings.Web;
using Microsoft.AspNetCore.WebUtilities;

namespace Veza.Authentication.Samples.WebApp;

/// <summary>The app's HTML, written by hand; every value from outside is HTML-encoded.</summary>
public static class Pages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>The signed-out home page.</summary>
    public static string SignedOut() => """
        <p>This app reads your Veza graph once you allow it to.</p>
        <p><a class="button" href="/signin">Sign in with Veza</a></p>
        """;

    /// <summary>The signed-in home page: who the user is and what the API answered.</summary>
    /// <param name="name">The user's display name.</param>
    /// <param name="subject">The user's subject at the server.</param>
    /// <param name="answers">The API's answers.</param>
    /// <param name="signOutToken">The antiforgery field for the sign-out form.</param>
    public static string SignedIn(string name, string subject, IEnumerable<ApiAnswer> answers, string signOutToken)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var sections = string.Concat(answers.Select(a => $"""
            <h2>GET {Html.Encode(a.Path)}</h2>
            {Status(a.Status, Id(a.Path) + "-status")}
            <pre id="{Id(a.Path)}">{Html.Encode(a.Body)}</pre>
            """));
        return $"""
            <p id="user">Signed in as <strong>{Html.Encode(name)}</strong> (<code>{Html.Encode(subject)}</code>).</p>
            {sections}
            <form method="post" action="/signout">{signOutToken}<button type="submit">Sign out</button></form>
            """;
    }

    /// <summary>Why signing in did not complete.</summary>
    /// <param name="error">The OAuth error code, such as <c>access_denied</c>.</param>
    /// <param name="description">Words about it, if any.</param>
    public static string Error(string error, string? description) => $"""
        <p class="error" role="alert">The Veza server did not sign you in: <code id="error">{Html.Encode(error)}</code></p>
        {(description is null ? "" : $"<p>{Html.Encode(description)}</p>")}
        <p><a href="/">Back to the app</a> · <a href="/signin">Sign in with Veza</a></p>
        """;

    /// <summary>Writes a whole page.</summary>
    /// <param name="response">The response.</param>
    /// <param name="title">The page's title.</param>
    /// <param name="body">The page's body, already HTML.</param>
    public static Task WriteAsync(HttpResponse response, string title, string body)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.ContentType = "text/html; charset=utf-8";
        return response.WriteAsync(Layout(title, body));
    }

    /// <summary>A whole page as a result.</summary>
    /// <param name="title">The page's title.</param>
    /// <param name="body">The page's body, already HTML.</param>
    public static IResult Result(string title, string body) => Results.Content(Layout(title, body), "text/html; charset=utf-8");

    private static string Status(int status, string id) => status switch
    {
        0 => $"""<p id="{id}" class="error">Not called.</p>""",
        >= 200 and < 300 => $"""<p id="{id}" class="status">{status} {ReasonPhrases.GetReasonPhrase(status)}</p>""",
        401 => $"""<p id="{id}" class="error">401 Unauthorized: the server refused the access token and it could not be renewed. <a href="/signin">Sign in again</a>.</p>""",
        _ => $"""<p id="{id}" class="error">{status} {ReasonPhrases.GetReasonPhrase(status)}</p>""",
    };

    // "/api/me" → "me", "/api/graph" → "graph": ids the page (and its tests) can find.
    private static string Id(string path) => Html.Encode(path.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "root");

    private static string Layout(string title, string body) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>{{Html.Encode(title)}} · Sample Web App</title>
          <style>
            body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 3rem auto; padding: 0 1rem; }
            pre { background: #f4f4f4; padding: 1rem; overflow: auto; }
            .error { color: #b00020; }
            .button { display: inline-block; padding: .5rem 1rem; background: #1a56db; color: white; text-decoration: none; }
          </style>
        </head>
        <body>
          <main>
            <h1>{{Html.Encode(title)}}</h1>
            {{body}}
          </main>
        </body>
        </html>
        """;
}
