using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Veza.Authentication.Secrets;

namespace Veza.Authentication.Samples.Server;

/// <summary>
/// The sample's interactive sign-in, with a cookie: what the authorization endpoint reads the signed-in user from
/// (<c>options.OAuth2.InteractiveScheme</c>) and challenges when nobody is signed in. The library's own scheme,
/// <c>Veza</c> (bearer credentials), stays the default.
/// </summary>
internal static class SampleAccountEndpoints
{
    /// <summary>The cookie scheme's name.</summary>
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>The sign-in page.</summary>
    public const string SignInPath = "/account/signin";

    /// <summary>Where the sign-out form posts.</summary>
    public const string SignOutPath = "/account/signout";

    /// <summary>Adds the cookie scheme and the antiforgery tokens the forms carry.</summary>
    public static IServiceCollection AddSampleAccounts(this IServiceCollection services)
    {
        services.AddSingleton<SampleAccounts>();
        services.AddAntiforgery(options => options.Cookie.Name = ".Veza.Sample.Antiforgery");
        services.AddAuthentication()
            .AddCookie(CookieScheme, options =>
            {
                // Cookies are not separated by port: a name of its own keeps it apart from other apps on 127.0.0.1.
                options.Cookie.Name = ".Veza.Sample.Session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.LoginPath = SignInPath;
                options.LogoutPath = SignOutPath;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            });
        return services;
    }

    /// <summary>Maps <c>GET</c>/<c>POST /account/signin</c> and <c>POST /account/signout</c>.</summary>
    public static void MapSampleAccounts(this WebApplication app)
    {
        app.MapGet(SignInPath, ShowSignInAsync).AllowAnonymous();
        app.MapPost(SignInPath, SignInAsync).AllowAnonymous();
        app.MapPost(SignOutPath, SignOutAsync).AllowAnonymous();
    }

    private static async Task<IResult> ShowSignInAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var signedIn = await context.AuthenticateAsync(CookieScheme);
        return Page(context, antiforgery, StatusCodes.Status200OK, context.Request.Query["ReturnUrl"], username: null, error: null,
            signedIn.Succeeded ? signedIn.Principal : null);
    }

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, SampleAccounts accounts)
    {
        if (!context.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string username = form["username"].ToString().Trim(), password = form["password"].ToString();
        string? returnUrl = form["returnUrl"];
        var (user, check) = await accounts.SignInAsync(username, password, context.Connection.RemoteIpAddress, context.RequestAborted);
        switch (check.Result)
        {
            case VezaPasswordCheckResult.Throttled:
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(check.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Page(context, antiforgery, StatusCodes.Status429TooManyRequests, returnUrl, username,
                    "Too many failed sign-ins from this address. Wait a minute and try again.", signedIn: null);
            case VezaPasswordCheckResult.Busy:
                context.Response.Headers.RetryAfter = "1";
                return Page(context, antiforgery, StatusCodes.Status503ServiceUnavailable, returnUrl, username,
                    "The service is busy. Try again in a moment.", signedIn: null);
        }

        if (user is null)
        {
            // One message whatever was wrong: the page never tells whether the username exists.
            return Page(context, antiforgery, StatusCodes.Status400BadRequest, returnUrl, username,
                "Sign-in failed: the username or password is incorrect.", signedIn: null);
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Name, user.DisplayName)],
            CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
        await context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(LocalOrDefault(context.Request, returnUrl));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        await context.SignOutAsync(CookieScheme);
        return Results.Redirect(SignInPath);
    }

    /// <summary>
    /// The return URL when it stays on this site, else the sign-in page. A path must start with one '/' (not "//" or
    /// "/\", which browsers read as another host) and hold only printable ASCII (browsers drop tabs and newlines, so
    /// "/\t/host" would become "//host", and a Location header cannot carry anything else); an absolute URL must name
    /// this very origin.
    /// </summary>
    internal static string LocalOrDefault(HttpRequest request, string? returnUrl)
    {
        // Only RFC 3986 characters can go into a Location header; anything else (controls, spaces, non-ASCII) is refused.
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Any(c => c is <= ' ' or >= (char)0x7F))
        {
            return SignInPath;
        }

        if (Uri.TryCreate(returnUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            var sameOrigin = string.Equals(absolute.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(absolute.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
            returnUrl = sameOrigin ? absolute.PathAndQuery + absolute.Fragment : null;
        }

        return returnUrl is ['/'] or ['/', not ('/' or '\\'), ..] ? returnUrl : SignInPath;
    }

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, int status, string? returnUrl, string? username, string? error,
        ClaimsPrincipal? signedIn)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = HtmlEncoder.Default;
        var token = $"""<input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken ?? "")}">""";
        var current = signedIn is null ? "" : $"""
            <p class="status">You are signed in as <strong>{html.Encode(signedIn.Identity?.Name ?? "")}</strong>
              (<code>{html.Encode(signedIn.FindFirstValue(ClaimTypes.NameIdentifier) ?? "")}</code>).</p>
            <p><a href="/admin">Administration</a>: API keys, OAuth2 apps and clients, Sign-in Settings, your authorized apps.</p>
            <form method="post" action="{SignOutPath}">{token}<button type="submit">Sign out</button></form>
            <hr>
            """;
        var message = error is null ? "" : $"""<p class="error" role="alert">{html.Encode(error)}</p>""";
        var body = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sign in · Veza sample</title>
              <style>
                body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem; }
                label, input, button { display: block; width: 100%; box-sizing: border-box; }
                input { margin: .25rem 0 1rem; padding: .5rem; }
                button { padding: .5rem; }
                .error { color: #b00020; }
              </style>
            </head>
            <body>
              <main>
                <h1>Sign in</h1>
                {{current}}
                {{message}}
                <form method="post" action="{{SignInPath}}">
                  {{token}}
                  <input type="hidden" name="returnUrl" value="{{html.Encode(returnUrl ?? "")}}">
                  <label for="username">Username</label>
                  <input id="username" name="username" autocomplete="username" required autofocus value="{{html.Encode(username ?? "")}}">
                  <label for="password">Password</label>
                  <input id="password" name="password" type="password" autocomplete="current-password" required>
                  <button type="submit">Sign in</button>
                </form>
              </main>
            </body>
            </html>
            """;
        return Results.Content(body, "text/html; charset=utf-8", statusCode: status);
    }
}
