using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// The tests' interactive scheme: the user named by the <c>X-Test-User</c> header is signed in; a challenge redirects to
/// <c>/signin?ReturnUrl=…</c> as a cookie scheme would.
/// </summary>
internal sealed class TestSignInHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "TestSignIn";
    public const string UserHeader = "X-Test-User";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(UserHeader, out var user) || string.IsNullOrEmpty(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user!), new Claim(ClaimTypes.Name, user!)], Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Redirect("/signin?ReturnUrl=" + Uri.EscapeDataString(properties.RedirectUri ?? "/"));
        return Task.CompletedTask;
    }
}

/// <summary>A browser without a browser: one user's requests through the authorization endpoint, with the cookies
/// (antiforgery) the server sets, and the app's token requests.</summary>
internal sealed partial class AppFlow
{
    public const string RedirectUri = "https://app.example.com/callback";
    public const string BaseUrl = "https://app.example.com";

    private readonly VezaTestHost _host;
    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _browser;

    public AppFlow(VezaTestHost host, string? user)
    {
        _host = host;
        User = user;
        _browser = new HttpClient(new CookieHandler(_cookies) { InnerHandler = host.TestHandler }) { BaseAddress = new Uri("http://localhost") };
    }

    public string? User { get; set; }

    public string Verifier { get; } = Base64Url(RandomNumberGenerator.GetBytes(32));

    public string Challenge => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static async Task<(string Id, string? Secret)> CreateAppAsync(VezaTestHost host, IReadOnlyList<string>? scopes = null, bool isPublic = false,
        IReadOnlyList<string>? redirectUris = null, bool allowLoopback = false, bool allowAny = false, string? name = null, TimeSpan? lifetime = null, string baseUrl = BaseUrl)
    {
        var created = await host.Apps.CreateAsync(new OAuthAppDraft
        {
            Name = name ?? $"app-{Guid.NewGuid():N}",
            TeamId = VezaTestHost.RootTeam,
            BaseUrl = baseUrl,
            RedirectUris = redirectUris ?? [RedirectUri],
            AllowedScopes = scopes ?? ["graph:read", "users:read", "offline_access"],
            IsPublic = isPublic,
            AllowLoopbackRedirectUris = allowLoopback,
            AllowAnyRedirectUri = allowAny,
            AccessTokenLifetime = lifetime,
        }, VezaCaller.Host, CancellationToken.None);
        Assert.That(created.Result, Is.EqualTo(OAuthClientResult.Success), created.Error);
        return (created.Client!.Id, created.Secret);
    }

    /// <summary>The authorization request's URL with the usual parameters; <paramref name="change"/> edits them.</summary>
    public string AuthorizeUrl(string appId, Action<Dictionary<string, string?>>? change = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = appId,
            ["redirect_uri"] = RedirectUri,
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = "st-" + Guid.NewGuid().ToString("N"),
            ["scope"] = "graph:read offline_access",
        };
        change?.Invoke(parameters);
        return QueryHelpers.AddQueryString("/oauth2/authorize", parameters.Where(p => p.Value is not null));
    }

    public async Task<HttpResponseMessage> GetAsync(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (User is not null)
        {
            request.Headers.Add(TestSignInHandler.UserHeader, User);
        }

        return await _browser.SendAsync(request);
    }

    /// <summary>Posts the consent page's form with a decision (and a team, else the page's first).</summary>
    public async Task<HttpResponseMessage> DecideAsync(string url, HttpResponseMessage page, string decision, string? teamId = null, bool withAntiforgery = true)
    {
        var html = await page.Content.ReadAsStringAsync();
        var fields = new List<KeyValuePair<string, string>> { new("decision", decision) };
        var token = AntiforgeryField().Match(html);
        if (withAntiforgery)
        {
            Assert.That(token.Success, html);
            fields.Add(new(WebUtility.HtmlDecode(token.Groups["name"].Value), WebUtility.HtmlDecode(token.Groups["value"].Value)));
        }

        var option = TeamOption().Match(html);
        var team = teamId ?? (option.Success ? WebUtility.HtmlDecode(option.Groups["id"].Value) : null);
        if (team is not null)
        {
            fields.Add(new("team_id", team));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        if (User is not null)
        {
            request.Headers.Add(TestSignInHandler.UserHeader, User);
        }

        return await _browser.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PostRawAsync(string url, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (User is not null)
        {
            request.Headers.Add(TestSignInHandler.UserHeader, User);
        }

        return await _browser.SendAsync(request);
    }

    /// <summary>Runs the authorization to a code: the request, the consent page if shown, Allow.</summary>
    public async Task<string> AuthorizeAsync(string appId, Action<Dictionary<string, string?>>? change = null, string? teamId = null)
    {
        var url = AuthorizeUrl(appId, change);
        var response = await GetAsync(url);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            response = await DecideAsync(url, response, "allow", teamId);
        }

        return CodeFrom(response);
    }

    public static Dictionary<string, string> RedirectParameters(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), () => response.Content.ReadAsStringAsync().Result);
        var location = response.Headers.Location!.ToString();
        Assert.That(location, Does.StartWith(RedirectUri.Split('?')[0]).Or.StartWith("http://127.0.0.1").Or.StartWith("http://[::1]"));
        return QueryHelpers.ParseQuery(new Uri(location).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static string CodeFrom(HttpResponseMessage response)
    {
        var parameters = RedirectParameters(response);
        Assert.That(parameters, Does.ContainKey("code"), string.Join("&", parameters.Select(p => p.Key + "=" + p.Value)));
        return parameters["code"];
    }

    public Task<HttpResponseMessage> RedeemAsync((string Id, string? Secret) app, string code, string? verifier = null, string redirectUri = RedirectUri)
        => TokenAsync(app, [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri), new("code_verifier", verifier ?? Verifier)]);

    public Task<HttpResponseMessage> RefreshAsync((string Id, string? Secret) app, string refreshToken, string? scope = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", refreshToken) };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }

        return TokenAsync(app, form);
    }

    public Task<HttpResponseMessage> TokenAsync((string Id, string? Secret) app, List<KeyValuePair<string, string>> form)
    {
        if (app.Secret is null)
        {
            form.Add(new("client_id", app.Id));
            return _host.PostFormAsync("/oauth2/token", form);
        }

        return _host.PostFormAsync("/oauth2/token", form, (app.Id, app.Secret));
    }

    public static async Task<(string AccessToken, string? RefreshToken, JsonElement Body)> ReadTokensAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var json = JsonDocument.Parse(body).RootElement;
        return (json.GetProperty("access_token").GetString()!, json.TryGetProperty("refresh_token", out var r) ? r.GetString() : null, json);
    }

    /// <summary>Code, then tokens, for the user.</summary>
    public async Task<(string AccessToken, string? RefreshToken, JsonElement Body)> SignInAsync((string Id, string? Secret) app,
        Action<Dictionary<string, string?>>? change = null, string? teamId = null)
        => await ReadTokensAsync(await RedeemAsync(app, await AuthorizeAsync(app.Id, change, teamId)));

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken[^\"]*)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"team_id\" value=\"(?<id>[^\"]+)\"|<option value=\"(?<id>[^\"]+)\"")]
    private static partial Regex TeamOption();

    // Keeps the cookies the server sets (TestServer's handler does not).
    private sealed class CookieHandler(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(new Uri("http://localhost"), request.RequestUri);
            var header = cookies.GetCookieHeader(uri);
            if (header.Length > 0)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                foreach (var value in values)
                {
                    cookies.SetCookies(uri, value);
                }
            }

            return response;
        }
    }
}
