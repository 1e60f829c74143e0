using System.Net;
using System.Text.Json;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>Apps and consents over the management API: who may do what, validation, rotation, revocation, and a
/// user's withdrawal of consent.</summary>
[TestFixture]
public sealed class AppManagementTests
{
    private const string Apps = "/api/preview/oauth2apps";
    private VezaTestHost _host = null!;
    private string _rootKey = null!;

    [SetUp]
    public async Task SetUp()
    {
        _host = await StartAsync();
        await _host.SwitchOAuth2Async(true);
        (_, _rootKey) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam);
    }

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    private static object NewApp(string? name = null, object? redirectUris = null, bool isPublic = false, string baseUrl = AppFlow.BaseUrl) => new
    {
        name = name ?? "Graph Explorer " + Guid.NewGuid().ToString("N")[..6],
        base_url = baseUrl,
        redirect_uris = redirectUris ?? new[] { AppFlow.RedirectUri, "https://eu.app.example.com/callback" },
        scopes = new[] { "graph:read", "offline_access" },
        is_public = isPublic,
    };

    [Test]
    public async Task A_root_administrator_registers_an_app_and_sees_its_secret_once()
    {
        var created = await JsonAsync(await _host.SendAsync(HttpMethod.Post, Apps, _rootKey, NewApp()));
        var value = created.GetProperty("value");
        var id = value.GetProperty("client_id").GetString()!;
        var secret = value.GetProperty("client_secret").GetString()!;
        var read = (await JsonAsync(await _host.GetAsync($"{Apps}/{id}", _rootKey))).GetProperty("value");
        var listed = (await JsonAsync(await _host.GetAsync(Apps, _rootKey))).GetProperty("values");
        var flow = new AppFlow(_host, OperatorA);
        var tokens = await flow.RedeemAsync((id, secret), await flow.AuthorizeAsync(id));

        Assert.That(secret, Does.StartWith("vezacs_"));
        Assert.That(read.GetProperty("client_secret").GetString(), Is.Empty);
        Assert.That(read.GetProperty("base_url").GetString(), Is.EqualTo(AppFlow.BaseUrl));
        Assert.That(read.GetProperty("redirect_uris").GetArrayLength(), Is.EqualTo(2));
        Assert.That(read.GetProperty("allow_any_redirect_uri").GetBoolean(), Is.False);
        Assert.That(listed.EnumerateArray().Select(a => a.GetProperty("client_id").GetString()), Is.EqualTo(new[] { id }));
        Assert.That(tokens.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await JsonAsync(await _host.GetAsync("/api/preview/oauth2clients", _rootKey))).GetProperty("values").GetArrayLength(), Is.Zero,
            "apps are not listed as clients");
    }

    [TestCase("redirect_uris", "https://evil.example.net/callback")]
    [TestCase("redirect_uris", "http://app.example.com/callback")]
    [TestCase("redirect_uris", "https://app.example.com/callback#frag")]
    [TestCase("redirect_uris", "/relative")]
    [TestCase("redirect_uris", "https://b\u00fccher.example/cb")]
    [TestCase("redirect_uris", "https://app.example.com/caf\u00e9")]
    [TestCase("redirect_uris", "https://app.example.com/a\r\nSet-Cookie:x")]
    [TestCase("redirect_uris", "https://app.example.com/a b")]
    [TestCase("redirect_uris", "https://app.example.com/%zz")]
    [TestCase("base_url", "http://app.example.com")]
    [TestCase("base_url", "https://b\u00fccher.example")]
    [TestCase("base_url", "not a url")]
    [TestCase("scopes", "no-such-scope")]
    public async Task Invalid_registrations_are_refused_with_a_clear_error(string field, string value)
    {
        var app = new Dictionary<string, object>
        {
            ["name"] = "app",
            ["base_url"] = AppFlow.BaseUrl,
            ["redirect_uris"] = new[] { AppFlow.RedirectUri },
            ["scopes"] = new[] { "graph:read" },
        };
        app[field] = field == "base_url" ? value : new[] { value };

        var response = await _host.SendAsync(HttpMethod.Post, Apps, _rootKey, app);
        var error = await JsonAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain(field == "scopes" ? "scope" : field == "base_url" ? "base_url" : "redirect URI"));
    }

    [Test]
    public async Task An_internationalised_host_is_registered_in_its_punycode_form()
    {
        var response = await _host.SendAsync(HttpMethod.Post, Apps, _rootKey, new Dictionary<string, object>
        {
            ["name"] = "idn app",
            ["base_url"] = "https://xn--bcher-kva.example",
            ["redirect_uris"] = new[] { "https://xn--bcher-kva.example/cb?x=%C3%A9" },
            ["scopes"] = new[] { "graph:read" },
        });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_team_administrator_and_an_app_acting_for_a_root_administrator_manage_nothing()
    {
        var (id, secret) = await AppFlow.CreateAppAsync(_host, scopes: ["graph:read", "users:read", "integrations:push"]);
        var (_, adminAKey) = await _host.CreatePersonalKeyAsync(AdminA, TeamA);
        var (appToken, _, _) = await new AppFlow(_host, RootAdmin).SignInAsync((id, secret), p => p["scope"] = "graph:read users:read integrations:push");

        var teamAdminList = await _host.GetAsync(Apps, adminAKey);
        var teamAdminGet = await _host.GetAsync($"{Apps}/{id}", adminAKey);
        var byAppCreate = await _host.SendAsync(HttpMethod.Post, Apps, appToken, NewApp());
        var byAppKey = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", appToken, new { name = "from an app" });
        var byAppClient = await _host.SendAsync(HttpMethod.Post, "/api/preview/oauth2clients", appToken, new { name = "from an app", team_id = TeamA });
        var byAppSettings = await _host.SendAsync(HttpMethod.Patch, "/api/preview/signinsettings", appToken, new { oauth2_authorization_server_enabled = false });

        Assert.That(teamAdminList.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(teamAdminGet.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(byAppCreate.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(byAppKey.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(byAppClient.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(byAppSettings.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task An_apps_client_id_reaches_no_client_operation_and_a_clients_no_app_operation()
    {
        var (appId, _) = await AppFlow.CreateAppAsync(_host);
        var (clientId, _) = await _host.CreateClientAsync(RootTeam);

        var clientRevokeOfApp = await _host.SendAsync(HttpMethod.Post, $"/api/preview/oauth2clients/{appId}:revoke", _rootKey);
        var appRevokeOfClient = await _host.SendAsync(HttpMethod.Post, $"{Apps}/{clientId}:revoke", _rootKey);
        var serviceRevoke = await _host.Clients.RevokeAsync(appId, VezaCaller.Host, CancellationToken.None);

        Assert.That(clientRevokeOfApp.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(appRevokeOfClient.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(serviceRevoke.Result, Is.EqualTo(OAuth2.OAuthClientResult.NotFound));
        Assert.That((await _host.Apps.FindAsync(appId, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(Veza.Authentication.Stores.OAuthClientStatus.Active));
    }

    [Test]
    public async Task Editing_replaces_the_given_fields_and_an_app_stays_public_or_confidential()
    {
        var (id, _) = await AppFlow.CreateAppAsync(_host);

        var edited = await _host.SendAsync(HttpMethod.Patch, $"{Apps}/{id}", _rootKey, new { redirect_uris = new[] { "https://app.example.com/new" }, name = "Renamed" });
        var value = (await JsonAsync(edited)).GetProperty("value");
        var toPublic = await _host.SendAsync(HttpMethod.Patch, $"{Apps}/{id}", _rootKey, new { is_public = true });
        var flow = new AppFlow(_host, OperatorA);
        var oldUri = await flow.GetAsync(flow.AuthorizeUrl(id));

        Assert.That(edited.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(value.GetProperty("name").GetString(), Is.EqualTo("Renamed"));
        Assert.That(value.GetProperty("redirect_uris").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "https://app.example.com/new" }));
        Assert.That(value.GetProperty("scopes").GetArrayLength(), Is.EqualTo(3), "unchanged");
        Assert.That(toPublic.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(oldUri.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the old redirect URI is no longer registered");
    }

    [Test]
    public async Task Secrets_rotate_without_downtime_and_a_public_app_gets_none()
    {
        var (id, first) = await AppFlow.CreateAppAsync(_host);
        var (publicId, _) = await AppFlow.CreateAppAsync(_host, isPublic: true);
        var flow = new AppFlow(_host, OperatorA);

        var added = (await JsonAsync(await _host.SendAsync(HttpMethod.Post, $"{Apps}/{id}/secrets", _rootKey))).GetProperty("value");
        var second = (await JsonAsync(await _host.SendAsync(HttpMethod.Post, $"{Apps}/{id}/secrets", _rootKey)));
        var publicSecret = await _host.SendAsync(HttpMethod.Post, $"{Apps}/{publicId}/secrets", _rootKey);

        Assert.That(added.GetProperty("secrets").GetArrayLength(), Is.EqualTo(2));
        Assert.That(second.GetProperty("code").GetInt32(), Is.EqualTo(8), "two secrets at most");
        Assert.That(publicSecret.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await flow.RedeemAsync((id, first), await flow.AuthorizeAsync(id))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Revoking_an_app_over_http_ends_its_tokens()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var (token, _, _) = await new AppFlow(_host, OperatorA).SignInAsync(app);

        var revoked = await _host.SendAsync(HttpMethod.Post, $"{Apps}/{app.Id}:revoke", _rootKey);

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await JsonAsync(revoked)).GetProperty("value").GetProperty("status").GetString(), Is.EqualTo("INACTIVE"));
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_user_lists_their_consents_and_withdrawing_one_ends_that_apps_tokens_for_them_only()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var other = await AppFlow.CreateAppAsync(_host);
        var mine = new AppFlow(_host, OperatorA);
        var (token, refresh, _) = await mine.SignInAsync(app);
        var (otherAppToken, _, _) = await mine.SignInAsync(other);
        var (viewerToken, _, _) = await new AppFlow(_host, ViewerA).SignInAsync(app);
        var (_, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);

        var listed = (await JsonAsync(await _host.GetAsync("/api/preview/oauth2consents", key))).GetProperty("values");
        var viaApp = await _host.GetAsync("/api/preview/oauth2consents", token);
        var withdrawn = await _host.SendAsync(HttpMethod.Delete, $"/api/preview/oauth2consents/{app.Id}", key);
        var again = await _host.SendAsync(HttpMethod.Delete, $"/api/preview/oauth2consents/{app.Id}", key);

        Assert.That(listed.EnumerateArray().Select(c => c.GetProperty("app_id").GetString()), Is.EquivalentTo(new[] { app.Id, other.Id }));
        Assert.That(listed[0].GetProperty("team_id").GetString(), Is.EqualTo(TeamA));
        Assert.That(viaApp.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "an app cannot read or withdraw its user's consents");
        Assert.That(withdrawn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await mine.RefreshAsync(app, refresh!)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await _host.GetAsync("/api/me", otherAppToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "another app of the same user");
        Assert.That((await _host.GetAsync("/api/me", viewerToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "another user of the same app");
        Assert.That((await mine.GetAsync(mine.AuthorizeUrl(app.Id))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "consent is asked again");
    }
}
