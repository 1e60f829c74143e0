using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The pages hide what a user may not do, but the services decide: a user who posts straight to an action they may
/// not take (with a valid antiforgery token of their own) is refused, and nothing changes.
/// </summary>
[TestFixture]
public sealed class AdministrationRulesTests
{
    private VezaTestHost _host = null!;
    private ApiKeyRecord _teamKey = null!;
    private ApiKeyRecord _revokedTeamKey = null!;
    private ApiKeyRecord _adminsPersonalKey = null!;
    private ApiKeyRecord _teamBKey = null!;
    private OAuthClientRecord _client = null!;
    private OAuthClientRecord _app = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await AdminSession.StartHostAsync();
        await _host.SwitchOAuth2Async(true);
        _teamKey = await KeyAsync(ApiKeyKind.Team, "push", TeamA, null);
        _revokedTeamKey = await KeyAsync(ApiKeyKind.Team, "old-push", TeamA, null);
        await _host.Keys.RevokeAsync(_revokedTeamKey.Id, VezaCaller.Host, CancellationToken.None);
        _adminsPersonalKey = await KeyAsync(ApiKeyKind.Personal, "admin-cli", TeamA, AdminA);
        _teamBKey = await KeyAsync(ApiKeyKind.Team, "b-push", TeamB, null);
        _client = (await _host.Clients.FindAsync((await _host.CreateClientAsync(TeamA, role: "viewer", name: "worker")).Id, VezaCaller.Host, CancellationToken.None))!;
        var app = await _host.Apps.CreateAsync(new OAuthAppDraft
        {
            Name = "Explorer", TeamId = RootTeam, BaseUrl = AppFlow.BaseUrl, RedirectUris = [AppFlow.RedirectUri], AllowedScopes = ["graph:read"],
        }, VezaCaller.Host, CancellationToken.None);
        _app = app.Client!;
        await _host.Services.GetRequiredService<IOAuthConsentStore>()
            .SaveAsync(new OAuthConsentRecord(AdminA, _app.Id, TeamA, ["graph:read"], DateTimeOffset.UtcNow), CancellationToken.None);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<ApiKeyRecord> KeyAsync(ApiKeyKind kind, string name, string team, string? owner)
        => (await _host.Keys.CreateAsync(new ApiKeyDraft { Kind = kind, Name = name, TeamId = team, OwnerUserId = owner }, VezaCaller.Host, CancellationToken.None)).Key!;

    private static KeyValuePair<string, string> F(string name, string value) => new(name, value);

    [Test]
    public async Task A_viewer_posting_to_every_action_is_refused_and_nothing_changes()
    {
        var viewer = new AdminSession(_host, ViewerA);
        // A page of their own with a form: its antiforgery token is valid for everything they post.
        await viewer.GetAsync("/admin/api-keys/personal/new");
        var refusals = new (string Path, KeyValuePair<string, string>[] Fields, HttpStatusCode Expected)[]
        {
            ("/admin/api-keys/team/new", [F("name", "mine"), F("team_id", TeamA)], HttpStatusCode.Forbidden),
            ($"/admin/api-keys/team/{_teamKey.Id}/rename", [F("name", "renamed")], HttpStatusCode.NotFound),
            ($"/admin/api-keys/team/{_teamKey.Id}/revoke", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/team/{_revokedTeamKey.Id}/reinstate", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/team/{_teamKey.Id}/delete", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/personal/{_adminsPersonalKey.Id}/revoke", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/personal/{_adminsPersonalKey.Id}/delete", [], HttpStatusCode.NotFound),
            ("/admin/api-keys/clients/new", [F("name", "mine"), F("team_id", TeamA), F("role", "viewer")], HttpStatusCode.Forbidden),
            ($"/admin/api-keys/clients/{_client.Id}/rename", [F("name", "renamed")], HttpStatusCode.NotFound),
            ($"/admin/api-keys/clients/{_client.Id}/secrets", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/clients/{_client.Id}/secrets/{_client.Secrets[0].Id}/remove", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/clients/{_client.Id}/revoke", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/clients/{_client.Id}/delete", [], HttpStatusCode.NotFound),
            ("/admin/api-keys/apps/new", [F("name", "Mine"), F("base_url", "https://mine.example.com"), F("redirect_uris", "https://mine.example.com/cb"), F("scopes", "graph:read")],
                HttpStatusCode.Forbidden),
            ($"/admin/api-keys/apps/{_app.Id}/secrets", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/apps/{_app.Id}/edit", [F("name", "Renamed"), F("base_url", AppFlow.BaseUrl), F("redirect_uris", AppFlow.RedirectUri), F("scopes", "graph:read")],
                HttpStatusCode.NotFound),
            ($"/admin/api-keys/apps/{_app.Id}/revoke", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/apps/{_app.Id}/delete", [], HttpStatusCode.NotFound),
            ("/admin/sign-in-settings", [F("oauth2", "off")], HttpStatusCode.Forbidden),
            ($"/admin/authorized-apps/{_app.Id}/remove", [], HttpStatusCode.NotFound),
        };

        foreach (var (path, fields, expected) in refusals)
        {
            var page = await viewer.PostAsync(path, fields);
            Assert.That(page.Status, Is.EqualTo(expected), path + "\n" + page.Html);
            Assert.That(page.Has("page-error") || page.Html.Contains("field-error", StringComparison.Ordinal), Is.True, path + ": the refusal is said in words");
        }

        await AssertNothingChangedAsync();
    }

    [Test]
    public async Task A_team_administrator_cannot_reach_another_team_apps_or_the_switch()
    {
        var admin = new AdminSession(_host, AdminA);
        await admin.GetAsync("/admin/api-keys/team/new");
        var refusals = new (string Path, KeyValuePair<string, string>[] Fields, HttpStatusCode Expected)[]
        {
            ("/admin/api-keys/team/new", [F("name", "in-b"), F("team_id", TeamB)], HttpStatusCode.Forbidden),
            ($"/admin/api-keys/team/{_teamBKey.Id}/revoke", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/team/{_teamBKey.Id}/delete", [], HttpStatusCode.NotFound),
            ("/admin/api-keys/clients/new", [F("name", "in-b"), F("team_id", TeamB), F("role", "admin")], HttpStatusCode.Forbidden),
            ("/admin/api-keys/clients/new", [F("name", "more-than-mine"), F("team_id", TeamA), F("role", "operator")], HttpStatusCode.Forbidden),
            ("/admin/api-keys/apps/new", [F("name", "Mine"), F("base_url", "https://mine.example.com"), F("redirect_uris", "https://mine.example.com/cb"), F("scopes", "graph:read")],
                HttpStatusCode.Forbidden),
            ($"/admin/api-keys/apps/{_app.Id}/revoke", [], HttpStatusCode.NotFound),
            ($"/admin/api-keys/apps/{_app.Id}/edit", [F("name", "Renamed"), F("base_url", AppFlow.BaseUrl), F("redirect_uris", AppFlow.RedirectUri), F("scopes", "graph:read")],
                HttpStatusCode.NotFound),
            ("/admin/sign-in-settings", [F("oauth2", "off")], HttpStatusCode.Forbidden),
        };

        foreach (var (path, fields, expected) in refusals)
        {
            var page = await admin.PostAsync(path, fields);
            Assert.That(page.Status, Is.EqualTo(expected), path + "\n" + page.Html);
        }

        Assert.That((await _host.Keys.FindAsync(_teamBKey.Id, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Active));
        Assert.That((await _host.Keys.ListAsync(new ApiKeyQuery { Name = "in-b" }, VezaCaller.Host, CancellationToken.None)).Items, Is.Empty);
        Assert.That((await _host.Clients.ListAsync(new OAuthClientQuery(), VezaCaller.Host, CancellationToken.None)).Items.Select(c => c.Name),
            Has.None.EqualTo("in-b").And.None.EqualTo("more-than-mine"));
        await AssertNothingChangedAsync();
    }

    [Test]
    public async Task The_pages_hide_what_a_viewer_cannot_do()
    {
        var viewer = new AdminSession(_host, ViewerA);
        var personal = await viewer.GetAsync("/admin/api-keys/personal");
        Assert.That(personal.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(personal.Html, Does.Not.Contain("/admin/api-keys/team\"").And.Not.Contain("/admin/api-keys/clients\"").And.Not.Contain("Sign-in Settings"));
        Assert.That(personal.Html, Does.Not.Contain("admin-cli"), "another member's personal key is not listed");

        var team = await viewer.GetAsync("/admin/api-keys/team");
        Assert.That(team.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(team.Html, Does.Not.Contain("push").And.Not.Contain("id=\"add\""));
    }

    private async Task AssertNothingChangedAsync()
    {
        var host = VezaCaller.Host;
        var none = CancellationToken.None;
        Assert.Multiple(async () =>
        {
            Assert.That((await _host.Keys.FindAsync(_teamKey.Id, host, none))!, Has.Property("Status").EqualTo(ApiKeyStatus.Active).And.Property("Name").EqualTo("push"));
            Assert.That((await _host.Keys.FindAsync(_revokedTeamKey.Id, host, none))!.Status, Is.EqualTo(ApiKeyStatus.Inactive));
            Assert.That((await _host.Keys.FindAsync(_adminsPersonalKey.Id, host, none))!.Status, Is.EqualTo(ApiKeyStatus.Active));
            Assert.That((await _host.Keys.ListAsync(new ApiKeyQuery { Name = "mine" }, host, none)).Items, Is.Empty);
            var client = (await _host.Clients.FindAsync(_client.Id, host, none))!;
            Assert.That(client, Has.Property("Status").EqualTo(OAuthClientStatus.Active).And.Property("Name").EqualTo("worker"));
            Assert.That(client.Secrets, Has.Count.EqualTo(1));
            var app = (await _host.Apps.FindAsync(_app.Id, host, none))!;
            Assert.That(app, Has.Property("Status").EqualTo(OAuthClientStatus.Active).And.Property("Name").EqualTo("Explorer"));
            Assert.That(app.Secrets, Has.Count.EqualTo(1));
            Assert.That((await _host.Apps.ListAsync(new OAuthClientQuery(), host, none)).Items, Has.Count.EqualTo(1));
            Assert.That((await _host.Services.GetRequiredService<OAuthServerSwitch>().ReadAsync(none)).OAuth2Enabled, Is.True);
            Assert.That((await _host.Apps.ListConsentsAsync(AdminA, host, none)).Items, Has.Count.EqualTo(1));
        });
    }
}
