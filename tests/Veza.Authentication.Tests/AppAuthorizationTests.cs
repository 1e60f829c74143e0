using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>The authorization endpoint: its checks in order, sign-in, consent and its page, and the redirect back.</summary>
[TestFixture]
public sealed class AppAuthorizationTests
{
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task SetUp()
    {
        _host = await StartAsync();
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    [Test]
    public async Task A_user_who_allows_gets_a_code_whose_token_acts_for_them_in_their_team_with_the_granted_scopes_only()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);

        var (token, refresh, body) = await flow.SignInAsync(app);
        var me = await _host.GetAsync("/api/me", token);
        var json = JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;

        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(json.GetProperty("subject").GetString(), Is.EqualTo("user:" + OperatorA));
        Assert.That(json.GetProperty("principal_type").GetString(), Is.EqualTo("user"));
        Assert.That(json.GetProperty("method").GetString(), Is.EqualTo("oauth2_app"));
        Assert.That(json.GetProperty("team_id").GetString(), Is.EqualTo(TeamA));
        Assert.That(json.GetProperty("credential_id").GetString(), Is.EqualTo(app.Id));
        Assert.That(json.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Is.EquivalentTo(new[] { "graph:read" }),
            "operator's permissions narrowed to the granted scope");
        Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("graph:read offline_access"));
        Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
        Assert.That(refresh, Is.Not.Null.And.Not.Empty);
        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/push", token, null, null)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "integrations:push was not granted");
    }

    [Test]
    public async Task An_unknown_or_disabled_app_gets_an_error_page_and_never_a_redirect()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);

        var unknown = await flow.GetAsync(flow.AuthorizeUrl("no-such-app"));
        await _host.Apps.RevokeAsync(app.Id, VezaCaller.Host, CancellationToken.None);
        var disabled = await flow.GetAsync(flow.AuthorizeUrl(app.Id));
        var (client, _) = await _host.CreateClientAsync(TeamA);
        var notAnApp = await flow.GetAsync(flow.AuthorizeUrl(client));

        foreach (var response in new[] { unknown, disabled, notAnApp })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Headers.Location, Is.Null);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("unknown or has been disabled"));
        }
    }

    [TestCase("https://app.example.com/callback/")]
    [TestCase("https://APP.example.com/callback")]
    [TestCase("https://app.example.com/callback?x=1")]
    [TestCase("https://app.example.com/Callback")]
    [TestCase("https://evil.example.net/callback")]
    [TestCase("http://app.example.com/callback")]
    [TestCase(null)]
    public async Task A_redirect_uri_that_is_not_registered_character_for_character_gets_an_error_page(string? redirectUri)
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);

        var response = await flow.GetAsync(flow.AuthorizeUrl(app.Id, p => p["redirect_uri"] = redirectUri));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("redirect URI"));
    }

    [TestCase("https://app.example.com/callback\r\nSet-Cookie: x=1")]
    [TestCase("https://b\u00fccher.example/cb")]
    [TestCase("https://app.example.com/caf\u00e9")]
    [TestCase("https://app.example.com/%zz")]
    public async Task A_redirect_uri_outside_RFC_3986_gets_an_error_page_even_for_an_app_that_allows_any(string redirectUri)
    {
        var app = await AppFlow.CreateAppAsync(_host, allowAny: true);
        var anonymous = new AppFlow(_host, null);
        var signedIn = new AppFlow(_host, OperatorA);

        var fromAnonymous = await anonymous.GetAsync(anonymous.AuthorizeUrl(app.Id, p => p["redirect_uri"] = redirectUri));
        var fromUser = await signedIn.GetAsync(signedIn.AuthorizeUrl(app.Id, p => p["redirect_uri"] = redirectUri));

        Assert.That(fromAnonymous.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(fromUser.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await fromUser.Content.ReadAsStringAsync(), Does.Contain("redirect URI"));
    }

    [Test]
    public async Task An_app_stored_with_a_redirect_uri_outside_RFC_3986_gets_an_error_page_and_nothing_is_saved()
    {
        // An app a host's own store holds from before registration checked this: it never reaches a header.
        const string Bad = "https://b\u00fccher.example/cb";
        var app = await AppFlow.CreateAppAsync(_host);
        var store = _host.Services.GetRequiredService<IOAuthClientStore>();
        var stored = (await store.FindByIdAsync(app.Id, CancellationToken.None))!;
        await store.UpdateAppAsync(app.Id, stored.Name, stored.AllowedScopes, stored.App! with { RedirectUris = [Bad] }, CancellationToken.None);
        var flow = new AppFlow(_host, OperatorA);

        var response = await flow.GetAsync(flow.AuthorizeUrl(app.Id, p => p["redirect_uri"] = Bad));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await _host.Services.GetRequiredService<IOAuthConsentStore>().ListAsync(OperatorA, app.Id, CancellationToken.None), Is.Empty);
    }

    [TestCase("response_type", "token", "unsupported_response_type")]
    [TestCase("response_type", "code id_token", "unsupported_response_type")]
    [TestCase("response_type", null, "invalid_request")]
    [TestCase("code_challenge", null, "invalid_request")]
    [TestCase("code_challenge_method", "plain", "invalid_request")]
    [TestCase("code_challenge_method", null, "invalid_request")]
    [TestCase("code_challenge", "too-short", "invalid_request")]
    [TestCase("scope", "graph:read integrations:push", "invalid_scope")]
    [TestCase("scope", "no-such-scope", "invalid_scope")]
    [TestCase("response_mode", "fragment", "invalid_request")]
    [TestCase("prompt", "none consent", "invalid_request")]
    public async Task After_the_redirect_uri_is_trusted_errors_go_back_to_the_app_with_state_and_iss(string parameter, string? value, string error)
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);

        var response = await flow.GetAsync(flow.AuthorizeUrl(app.Id, p =>
        {
            p[parameter] = value;
            p["state"] = "the-state";
        }));
        var back = AppFlow.RedirectParameters(response);

        Assert.That(back["error"], Is.EqualTo(error));
        Assert.That(back["state"], Is.EqualTo("the-state"));
        Assert.That(back["iss"], Is.EqualTo(Issuer));
        Assert.That(back, Does.Not.ContainKey("code"));
    }

    [Test]
    public async Task A_user_who_is_not_signed_in_is_challenged_and_comes_back_to_the_same_request()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, null);
        var url = flow.AuthorizeUrl(app.Id);

        var response = await flow.GetAsync(url);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo("/signin?ReturnUrl=" + Uri.EscapeDataString(url)));
        flow.User = OperatorA;
        Assert.That(AppFlow.CodeFrom(await flow.DecideAsync(url, await flow.GetAsync(url), "allow")), Is.Not.Empty);
    }

    [Test]
    public async Task Prompt_none_answers_login_required_then_consent_required_then_a_code_once_consent_is_remembered()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, null);
        Action<Dictionary<string, string?>> none = p => p["prompt"] = "none";

        var anonymous = AppFlow.RedirectParameters(await flow.GetAsync(flow.AuthorizeUrl(app.Id, none)));
        flow.User = OperatorA;
        var notConsented = AppFlow.RedirectParameters(await flow.GetAsync(flow.AuthorizeUrl(app.Id, none)));
        await flow.AuthorizeAsync(app.Id);
        var consented = AppFlow.RedirectParameters(await flow.GetAsync(flow.AuthorizeUrl(app.Id, none)));

        Assert.That(anonymous["error"], Is.EqualTo("login_required"));
        Assert.That(notConsented["error"], Is.EqualTo("consent_required"));
        Assert.That(consented, Does.ContainKey("code"));
    }

    [Test]
    public async Task Deny_answers_access_denied_and_remembers_nothing()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var url = flow.AuthorizeUrl(app.Id, p => p["state"] = "s1");

        var back = AppFlow.RedirectParameters(await flow.DecideAsync(url, await flow.GetAsync(url), "deny"));
        var again = await flow.GetAsync(flow.AuthorizeUrl(app.Id));

        Assert.That(back["error"], Is.EqualTo("access_denied"));
        Assert.That(back["state"], Is.EqualTo("s1"));
        Assert.That(back["iss"], Is.EqualTo(Issuer));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the consent page is shown again");
    }

    [Test]
    public async Task Consent_is_remembered_per_scopes_and_prompt_consent_asks_again()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        await flow.AuthorizeAsync(app.Id, p => p["scope"] = "graph:read users:read");

        var same = await flow.GetAsync(flow.AuthorizeUrl(app.Id, p => p["scope"] = "graph:read users:read"));
        var fewer = await flow.GetAsync(flow.AuthorizeUrl(app.Id, p => p["scope"] = "users:read"));
        var more = await flow.GetAsync(flow.AuthorizeUrl(app.Id, p => p["scope"] = "graph:read users:read offline_access"));
        var prompted = await flow.GetAsync(flow.AuthorizeUrl(app.Id, p =>
        {
            p["scope"] = "graph:read";
            p["prompt"] = "consent";
        }));
        var otherUser = await new AppFlow(_host, ViewerA).GetAsync(flow.AuthorizeUrl(app.Id, p => p["scope"] = "graph:read"));

        Assert.That(AppFlow.CodeFrom(same), Is.Not.Empty);
        Assert.That(AppFlow.CodeFrom(fewer), Is.Not.Empty);
        Assert.That(more.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a wider request asks again");
        Assert.That(prompted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(otherUser.StatusCode, Is.EqualTo(HttpStatusCode.OK), "consent is per user");
    }

    [Test]
    public async Task The_consent_page_names_the_app_its_base_url_the_scopes_in_words_and_cannot_be_framed_or_stored()
    {
        var app = await AppFlow.CreateAppAsync(_host, name: "Graph <Explorer>");
        var flow = new AppFlow(_host, OperatorA);

        var page = await flow.GetAsync(flow.AuthorizeUrl(app.Id));
        var html = await page.Content.ReadAsStringAsync();

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain("Graph &lt;Explorer&gt;").And.Not.Contain("Graph <Explorer>"));
        Assert.That(html, Does.Contain(AppFlow.BaseUrl));
        Assert.That(html, Does.Contain("Keep access while you are away"));
        Assert.That(html, Does.Contain("Team A"));
        Assert.That(html, Does.Contain(">Allow</button>").And.Contain(">Deny</button>"));
        Assert.That(page.Headers.GetValues("X-Frame-Options"), Is.EqualTo(new[] { "DENY" }));
        Assert.That(string.Join(",", page.Headers.GetValues("Content-Security-Policy")), Does.Contain("frame-ancestors 'none'"));
        Assert.That(page.Headers.CacheControl!.NoStore, Is.True);
    }

    [Test]
    public async Task A_consent_post_without_the_antiforgery_token_is_refused_and_issues_nothing()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var url = flow.AuthorizeUrl(app.Id);

        var response = await flow.DecideAsync(url, await flow.GetAsync(url), "allow", withAntiforgery: false);
        var forged = await new AppFlow(_host, OperatorA).DecideAsync(url, await flow.GetAsync(url), "allow");

        var json = await flow.PostRawAsync(url, new StringContent("{\"decision\":\"allow\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a token without its cookie (another browser) is refused");
        Assert.That(json.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "not a form");
    }

    [Test]
    public async Task A_user_with_roles_in_two_teams_picks_one_and_the_token_acts_there_only()
    {
        _host.Directory.SetRoles(OperatorA, TeamB, "viewer");
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var url = flow.AuthorizeUrl(app.Id, p => p["scope"] = "graph:read users:read");
        var page = await flow.GetAsync(url);
        var html = await page.Content.ReadAsStringAsync();

        var notMine = await flow.DecideAsync(url, page, "allow", teamId: RootTeam);
        var (token, _, _) = await AppFlow.ReadTokensAsync(await flow.RedeemAsync(app, AppFlow.CodeFrom(await flow.DecideAsync(url, page, "allow", teamId: TeamB))));
        var me = JsonDocument.Parse(await (await _host.GetAsync("/api/me", token)).Content.ReadAsStringAsync()).RootElement;

        Assert.That(html, Does.Contain("<select").And.Contain("Team A").And.Contain("Team B"));
        Assert.That(notMine.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a team the user holds no role in");
        Assert.That(me.GetProperty("team_id").GetString(), Is.EqualTo(TeamB));
        Assert.That(me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "viewer" }));
    }

    [Test]
    public async Task Loopback_redirect_uris_match_any_port_only_when_the_app_allows_it()
    {
        var strict = await AppFlow.CreateAppAsync(_host, redirectUris: ["http://127.0.0.1/callback"], baseUrl: "http://127.0.0.1");
        var loopback = await AppFlow.CreateAppAsync(_host, redirectUris: ["http://127.0.0.1/callback"], allowLoopback: true);
        var flow = new AppFlow(_host, OperatorA);
        Action<Dictionary<string, string?>> port(string uri) => p => p["redirect_uri"] = uri;

        var strictResponse = await flow.GetAsync(flow.AuthorizeUrl(strict.Id, port("http://127.0.0.1:51234/callback")));
        var code = await flow.AuthorizeAsync(loopback.Id, port("http://127.0.0.1:51234/callback"));
        var otherPath = await flow.GetAsync(flow.AuthorizeUrl(loopback.Id, port("http://127.0.0.1:51234/elsewhere")));
        var tokens = await flow.RedeemAsync(loopback, code, redirectUri: "http://127.0.0.1:51234/callback");

        Assert.That(strictResponse.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(otherPath.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(tokens.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Allow_any_redirect_uri_is_off_by_default_and_turning_it_on_is_audited_and_logged_as_a_warning()
    {
        var audit = new RecordingAuditSink();
        await _host.DisposeAsync();
        _host = await StartAsync(services: s => s.AddSingleton<Diagnostics.IVezaAuditSink>(audit));
        await _host.SwitchOAuth2Async(true);
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        Action<Dictionary<string, string?>> elsewhere = p => p["redirect_uri"] = "https://elsewhere.example.org/cb";

        var before = await flow.GetAsync(flow.AuthorizeUrl(app.Id, elsewhere));
        var current = (await _host.Apps.FindAsync(app.Id, VezaCaller.Host, CancellationToken.None))!;
        var changed = await _host.Apps.UpdateAsync(app.Id, new OAuthAppDraft
        {
            Name = current.Name,
            TeamId = current.TeamId,
            BaseUrl = current.App!.BaseUrl,
            RedirectUris = current.App.RedirectUris,
            AllowedScopes = current.AllowedScopes,
            AllowAnyRedirectUri = true,
        }, VezaCaller.Host, CancellationToken.None);
        var url = flow.AuthorizeUrl(app.Id, elsewhere);
        var after = await flow.DecideAsync(url, await flow.GetAsync(url), "allow");

        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(changed.Result, Is.EqualTo(OAuthClientResult.Success));
        Assert.That(after.Headers.Location!.ToString(), Does.StartWith("https://elsewhere.example.org/cb?code="));
        Assert.That(audit.Events.Select(e => e.Action), Does.Contain("oauth2_app.allow_any_redirect_uri"));
        Assert.That(_host.Logs.Lines.Any(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(app.Id, StringComparison.Ordinal)
            && l.Contains("any redirect URI", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task Metadata_announces_the_authorization_endpoint_pkce_s256_iss_and_the_new_grants()
    {
        var json = JsonDocument.Parse(await (await _host.Client.GetAsync("/.well-known/oauth-authorization-server")).Content.ReadAsStringAsync()).RootElement;
        string[] Values(string name) => [.. json.GetProperty(name).EnumerateArray().Select(v => v.GetString()!)];

        Assert.That(json.GetProperty("authorization_endpoint").GetString(), Is.EqualTo(Issuer + "/oauth2/authorize"));
        Assert.That(Values("response_types_supported"), Is.EqualTo(new[] { "code" }));
        Assert.That(Values("code_challenge_methods_supported"), Is.EqualTo(new[] { "S256" }));
        Assert.That(json.GetProperty("authorization_response_iss_parameter_supported").GetBoolean(), Is.True);
        Assert.That(Values("grant_types_supported"), Is.EquivalentTo(new[] { "client_credentials", "authorization_code", "refresh_token" }));
        Assert.That(Values("token_endpoint_auth_methods_supported"), Does.Contain("none"));
        Assert.That(Values("scopes_supported"), Does.Contain("offline_access"));
    }

    [Test]
    public async Task While_the_server_is_off_the_authorization_endpoint_answers_404()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        await _host.SwitchOAuth2Async(false);

        var response = await flow.GetAsync(flow.AuthorizeUrl(app.Id));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_repeated_parameter_gets_an_error_page_and_the_code_comes_back_with_state_and_iss()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);

        var repeated = await flow.GetAsync(flow.AuthorizeUrl(app.Id) + "&redirect_uri=" + Uri.EscapeDataString("https://evil.example.net/cb"));
        var url = flow.AuthorizeUrl(app.Id, p => p["state"] = "keep-me");
        var back = AppFlow.RedirectParameters(await flow.DecideAsync(url, await flow.GetAsync(url), "allow"));

        Assert.That(repeated.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(repeated.Headers.Location, Is.Null);
        Assert.That(back["state"], Is.EqualTo("keep-me"));
        Assert.That(back["iss"], Is.EqualTo(Issuer));
        Assert.That(back["code"], Has.Length.GreaterThanOrEqualTo(43));
    }

    [Test]
    public async Task A_user_without_a_role_in_any_team_or_deactivated_is_answered_access_denied()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        _host.Directory.AddUser(new VezaUser("loner", "Loner", IsActive: true));
        _host.Directory.SetActive(ViewerA, false);

        var loner = AppFlow.RedirectParameters(await new AppFlow(_host, "loner").GetAsync(new AppFlow(_host, "loner").AuthorizeUrl(app.Id)));
        var inactive = AppFlow.RedirectParameters(await new AppFlow(_host, ViewerA).GetAsync(new AppFlow(_host, ViewerA).AuthorizeUrl(app.Id)));

        Assert.That(loner["error"], Is.EqualTo("access_denied"));
        Assert.That(inactive["error"], Is.EqualTo("access_denied"));
    }
}
