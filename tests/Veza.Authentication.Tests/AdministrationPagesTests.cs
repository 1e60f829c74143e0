using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>What an administrator does on the pages, checked over HTTP against what the credentials then do.</summary>
[TestFixture]
public sealed class AdministrationPagesTests
{
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await AdminSession.StartHostAsync();
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<HttpStatusCode> MeAsync(string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return (await _host.Client.SendAsync(request)).StatusCode;
    }

    private static string IdFrom(string location) => location.Split('?')[0].Split('/')[^1];

    [Test]
    public async Task A_team_key_made_on_the_page_works_until_revoked_and_again_when_reinstated()
    {
        var admin = new AdminSession(_host, AdminA);
        var created = await admin.SubmitAsync("/admin/api-keys/team/new", "/admin/api-keys/team/new", ("name", "ci-push"), ("team_id", TeamA));
        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.OK), created.Html);
        Assert.That(created.Headers["Cache-Control"], Does.Contain("no-store"));
        var key = created.TextOf("secret-value")!;
        Assert.That(key, Does.StartWith("veza_"));
        Assert.That(created.Html, Does.Contain("will not be shown again"));
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.OK));

        var id = (await _host.Keys.ListAsync(new ApiKeyQuery { Name = "ci-push" }, VezaCaller.Host, CancellationToken.None)).Items.Single().Id;
        var detail = await admin.GetAsync($"/admin/api-keys/team/{id}");
        Assert.That(detail.Html, Does.Not.Contain(key), "the key is never shown again");

        var confirm = await admin.GetAsync($"/admin/api-keys/team/{id}/revoke");
        Assert.That(System.Net.WebUtility.HtmlDecode(confirm.Html), Does.Contain("Revoke the team key “ci-push”?"));
        var revoked = await admin.PostAsync($"/admin/api-keys/team/{id}/revoke");
        Assert.That(revoked.Status, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await admin.GetAsync(revoked.Location!)).TextOf("credential-status"), Is.EqualTo("Revoked"));
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.Unauthorized));

        var reinstated = await admin.PostAsync($"/admin/api-keys/team/{id}/reinstate");
        Assert.That(reinstated.Location, Does.Contain("done=reinstated"));
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.OK));

        await admin.GetAsync($"/admin/api-keys/team/{id}");
        var renamed = await admin.PostAsync($"/admin/api-keys/team/{id}/rename", [new("name", "ci-push-2")]);
        Assert.That((await admin.GetAsync(renamed.Location!)).TextOf("credential-name"), Is.EqualTo("ci-push-2"));

        await admin.GetAsync($"/admin/api-keys/team/{id}/delete");
        var deleted = await admin.PostAsync($"/admin/api-keys/team/{id}/delete");
        Assert.That(deleted.Location, Is.EqualTo("/admin/api-keys/team?done=deleted"));
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_host.Logs.AllText, Does.Not.Contain(key.Split('_')[^1]), "the secret is never logged");
    }

    [Test]
    public async Task A_refused_name_is_said_beside_the_field_and_nothing_is_stored()
    {
        var admin = new AdminSession(_host, AdminA);
        await admin.SubmitAsync("/admin/api-keys/team/new", "/admin/api-keys/team/new", ("name", "dup"), ("team_id", TeamA));
        var again = await admin.SubmitAsync("/admin/api-keys/team/new", "/admin/api-keys/team/new", ("name", "DUP"), ("team_id", TeamA));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(again.TextOf("name-error"), Does.Contain("already exists"));
        Assert.That(again.Html, Does.Contain("aria-invalid=\"true\""));

        var blank = await admin.SubmitAsync("/admin/api-keys/team/new", "/admin/api-keys/team/new", ("name", "  "), ("team_id", TeamA));
        Assert.That(blank.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(blank.TextOf("name-error"), Does.StartWith("Name is required"));
        Assert.That((await _host.Keys.ListAsync(new ApiKeyQuery { Kind = ApiKeyKind.Team, TeamId = TeamA }, VezaCaller.Host, CancellationToken.None)).Items, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_member_makes_a_personal_key_for_themselves()
    {
        var viewer = new AdminSession(_host, ViewerA);
        var created = await viewer.SubmitAsync("/admin/api-keys/personal/new", "/admin/api-keys/personal/new", ("name", "my-script"));
        var key = created.TextOf("secret-value")!;
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.OK));
        var list = await viewer.GetAsync("/admin/api-keys/personal");
        Assert.That(list.Html, Does.Contain("my-script").And.Contain(ViewerA));
    }

    [Test]
    public async Task Lists_page_by_id_and_filter_by_name_ignoring_case()
    {
        for (var i = 0; i < 30; i++)
        {
            await _host.Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Team, Name = $"key-{i:D2}", TeamId = TeamA }, VezaCaller.Host, CancellationToken.None);
        }

        await _host.Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Team, Name = "Nightly-SYNC", TeamId = TeamA }, VezaCaller.Host, CancellationToken.None);
        var admin = new AdminSession(_host, AdminA);
        var first = await admin.GetAsync("/admin/api-keys/team");
        var rows = System.Text.RegularExpressions.Regex.Count(first.Html, "<tr data-id=");
        Assert.That(rows, Is.EqualTo(25));
        var next = System.Text.RegularExpressions.Regex.Match(first.Html, "href=\"([^\"]+)\" rel=\"next\"").Groups[1].Value;
        var second = await admin.GetAsync(System.Net.WebUtility.HtmlDecode(next));
        Assert.That(System.Text.RegularExpressions.Regex.Count(second.Html, "<tr data-id="), Is.EqualTo(6));
        Assert.That(second.Html, Does.Not.Contain("rel=\"next\"").And.Contain("First page"));

        var filtered = await admin.GetAsync("/admin/api-keys/team?name=sync");
        Assert.That(System.Text.RegularExpressions.Regex.Count(filtered.Html, "<tr data-id="), Is.EqualTo(1));
        Assert.That(filtered.Html, Does.Contain("Nightly-SYNC"));
        Assert.That((await admin.GetAsync("/admin/api-keys/team?name=%25")).Html, Does.Contain("id=\"empty\""), "a % is a character, not a wildcard");
    }

    [Test]
    public async Task A_client_made_on_the_page_gets_tokens_with_its_secret_and_rotates_it()
    {
        var admin = new AdminSession(_host, AdminA);
        var created = await admin.SubmitAsync("/admin/api-keys/clients/new", "/admin/api-keys/clients/new",
            ("name", "nightly"), ("team_id", TeamA), ("role", "admin"), ("scopes", "graph:read"), ("access_token_lifetime", "600"));
        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.OK), created.Html);
        var (id, secret) = (created.TextOf("client-id")!, created.TextOf("secret-value")!);
        var token = await _host.GetTokenAsync((id, secret), "graph:read");
        Assert.That(await MeAsync(token), Is.EqualTo(HttpStatusCode.OK));

        await admin.GetAsync($"/admin/api-keys/clients/{id}");
        var added = await admin.PostAsync($"/admin/api-keys/clients/{id}/secrets");
        var newSecret = added.TextOf("secret-value")!;
        var stored = (await _host.Clients.FindAsync(id, VezaCaller.Host, CancellationToken.None))!;
        Assert.That(stored.Secrets, Has.Count.EqualTo(2));

        var oldId = stored.Secrets.OrderBy(s => s.CreatedAt).First().Id;
        await admin.GetAsync($"/admin/api-keys/clients/{id}/secrets/{oldId}/remove");
        var removed = await admin.PostAsync($"/admin/api-keys/clients/{id}/secrets/{oldId}/remove");
        Assert.That(removed.Location, Does.Contain("done=secret-removed"));
        var refused = await _host.PostFormAsync("/oauth2/token", [new("grant_type", "client_credentials")], (id, secret));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await _host.GetTokenAsync((id, newSecret)), Is.Not.Empty);

        await admin.GetAsync($"/admin/api-keys/clients/{id}/revoke");
        await admin.PostAsync($"/admin/api-keys/clients/{id}/revoke");
        Assert.That(await MeAsync(token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_lifetime_that_is_not_a_number_is_refused_beside_its_field()
    {
        var admin = new AdminSession(_host, AdminA);
        var refused = await admin.SubmitAsync("/admin/api-keys/clients/new", "/admin/api-keys/clients/new",
            ("name", "nightly"), ("team_id", TeamA), ("role", "admin"), ("access_token_lifetime", "ten minutes"));
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.TextOf("access_token_lifetime-error"), Is.EqualTo("The access token lifetime must be a whole number of seconds."));
        Assert.That((await _host.Clients.ListAsync(new OAuthClientQuery(), VezaCaller.Host, CancellationToken.None)).Items, Is.Empty);
    }

    [Test]
    public async Task A_redirect_uri_outside_the_base_url_is_refused_beside_its_field()
    {
        var root = new AdminSession(_host, RootAdmin);
        var refused = await root.SubmitAsync("/admin/api-keys/apps/new", "/admin/api-keys/apps/new",
            ("name", "Explorer"), ("base_url", "https://explorer.example.com"), ("redirect_uris", "https://evil.example.net/cb"), ("scopes", "graph:read"));
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.TextOf("redirect_uris-error"), Does.Contain("https://evil.example.net/cb"));
        Assert.That(refused.Html, Does.Contain("value=\"https://explorer.example.com\""), "what was typed is kept");
        Assert.That((await _host.Apps.ListAsync(new OAuthClientQuery(), VezaCaller.Host, CancellationToken.None)).Items, Is.Empty);

        var created = await root.SubmitAsync("/admin/api-keys/apps/new", "/admin/api-keys/apps/new",
            ("name", "Explorer"), ("base_url", "https://explorer.example.com"), ("redirect_uris", "https://explorer.example.com/cb, https://app.explorer.example.com/cb"),
            ("scopes", "graph:read"), ("scopes", "offline_access"));
        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.OK), created.Html);
        var app = (await _host.Apps.FindAsync(created.TextOf("client-id")!, VezaCaller.Host, CancellationToken.None))!;
        Assert.That(app.App!.RedirectUris, Is.EqualTo(new[] { "https://explorer.example.com/cb", "https://app.explorer.example.com/cb" }));
        Assert.That(app.AllowedScopes, Is.EquivalentTo(new[] { "graph:read", "offline_access" }));
    }

    [Test]
    public async Task An_app_is_edited_from_its_stored_values_and_its_redirect_uris_are_checked_again()
    {
        var app = (await _host.Apps.CreateAsync(new OAuthAppDraft
        {
            Name = "Explorer", TeamId = RootTeam, BaseUrl = AppFlow.BaseUrl, RedirectUris = [AppFlow.RedirectUri], AllowedScopes = ["graph:read", "offline_access"],
        }, VezaCaller.Host, CancellationToken.None)).Client!;
        var root = new AdminSession(_host, RootAdmin);
        var form = await root.GetAsync($"/admin/api-keys/apps/{app.Id}/edit");
        Assert.That(form.Html, Does.Contain($"value=\"{AppFlow.RedirectUri}\"").And.Contain("value=\"offline_access\" checked"));

        var refused = await root.PostAsync($"/admin/api-keys/apps/{app.Id}/edit",
            [new("name", "Explorer"), new("base_url", AppFlow.BaseUrl), new("redirect_uris", "https://other.example.org/cb"), new("scopes", "graph:read")]);
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.TextOf("redirect_uris-error"), Does.Contain("https://other.example.org/cb"));
        Assert.That((await _host.Apps.FindAsync(app.Id, VezaCaller.Host, CancellationToken.None))!.App!.RedirectUris, Is.EqualTo(new[] { AppFlow.RedirectUri }));

        var saved = await root.PostAsync($"/admin/api-keys/apps/{app.Id}/edit",
            [new("name", "Explorer 2"), new("base_url", AppFlow.BaseUrl), new("redirect_uris", AppFlow.BaseUrl + "/callback2"), new("scopes", "graph:read")]);
        Assert.That(saved.Location, Does.Contain("done=saved"));
        var stored = (await _host.Apps.FindAsync(app.Id, VezaCaller.Host, CancellationToken.None))!;
        Assert.That(stored.Name, Is.EqualTo("Explorer 2"));
        Assert.That(stored.App!.RedirectUris, Is.EqualTo(new[] { AppFlow.BaseUrl + "/callback2" }));
        Assert.That(stored.AllowedScopes, Is.EqualTo(new[] { "graph:read" }));
        Assert.That(stored.Secrets, Has.Count.EqualTo(1), "editing keeps the secret");

        Assert.That((await new AdminSession(_host, AdminA).GetAsync($"/admin/api-keys/apps/{app.Id}/edit")).Status, Is.EqualTo(HttpStatusCode.NotFound),
            "only root-team administrators see apps");
    }

    [Test]
    public async Task A_public_app_is_renamed_and_edited_and_stays_public()
    {
        var app = (await _host.Apps.CreateAsync(new OAuthAppDraft
        {
            Name = "Native", TeamId = RootTeam, BaseUrl = AppFlow.BaseUrl, RedirectUris = [AppFlow.RedirectUri], AllowedScopes = ["graph:read"], IsPublic = true,
        }, VezaCaller.Host, CancellationToken.None)).Client!;
        var root = new AdminSession(_host, RootAdmin);
        await root.GetAsync($"/admin/api-keys/apps/{app.Id}");
        var renamed = await root.PostAsync($"/admin/api-keys/apps/{app.Id}/rename", [new("name", "Native 2")]);
        Assert.That(renamed.Location, Does.Contain("done=renamed"), renamed.Html);

        await root.GetAsync($"/admin/api-keys/apps/{app.Id}/edit");
        var saved = await root.PostAsync($"/admin/api-keys/apps/{app.Id}/edit",
            [new("name", "Native 3"), new("base_url", AppFlow.BaseUrl), new("redirect_uris", AppFlow.RedirectUri), new("scopes", "users:read")]);
        Assert.That(saved.Location, Does.Contain("done=saved"), saved.Html);
        var stored = (await _host.Apps.FindAsync(app.Id, VezaCaller.Host, CancellationToken.None))!;
        Assert.That(stored.Name, Is.EqualTo("Native 3"));
        Assert.That(stored.AllowedScopes, Is.EqualTo(new[] { "users:read" }));
        Assert.That(stored.App!.IsPublic, Is.True);
    }

    [Test]
    public async Task The_switch_turns_the_server_off_and_on_while_api_keys_keep_working()
    {
        var root = new AdminSession(_host, RootAdmin);
        var key = (await _host.Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Team, Name = "push", TeamId = TeamA }, VezaCaller.Host, CancellationToken.None)).AccessKey!;
        var confirm = await root.GetAsync("/admin/sign-in-settings/turn-off");
        Assert.That(confirm.Html, Does.Contain("API keys keep working"));
        var off = await root.PostAsync("/admin/sign-in-settings", [new("oauth2", "off")]);
        Assert.That(off.Location, Does.Contain("done=oauth2-off"));
        Assert.That((await root.GetAsync(off.Location!)).TextOf("oauth2-state"), Is.EqualTo("Off"));
        Assert.That((await _host.Client.GetAsync("/.well-known/oauth-authorization-server")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await MeAsync(key), Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await root.GetAsync("/admin/api-keys/clients")).Has("server-off"), Is.True);

        var on = await root.PostAsync("/admin/sign-in-settings", [new("oauth2", "on")]);
        Assert.That(on.Location, Does.Contain("done=oauth2-on"));
        Assert.That((await _host.Client.GetAsync("/.well-known/oauth-authorization-server")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Removing_an_authorized_app_withdraws_the_consent()
    {
        var app = (await _host.Apps.CreateAsync(new OAuthAppDraft
        {
            Name = "Explorer", TeamId = RootTeam, BaseUrl = AppFlow.BaseUrl, RedirectUris = [AppFlow.RedirectUri], AllowedScopes = ["graph:read"],
        }, VezaCaller.Host, CancellationToken.None)).Client!;
        await _host.Services.GetRequiredService<IOAuthConsentStore>()
            .SaveAsync(new OAuthConsentRecord(ViewerA, app.Id, TeamA, ["graph:read"], DateTimeOffset.UtcNow), CancellationToken.None);
        var viewer = new AdminSession(_host, ViewerA);
        var list = await viewer.GetAsync("/admin/authorized-apps");
        Assert.That(list.Html, Does.Contain("Explorer").And.Contain("graph:read").And.Contain("Team A"));

        await viewer.GetAsync($"/admin/authorized-apps/{app.Id}/remove");
        var removed = await viewer.PostAsync($"/admin/authorized-apps/{app.Id}/remove");
        Assert.That(removed.Location, Does.Contain("done=access-removed"));
        Assert.That((await _host.Apps.ListConsentsAsync(ViewerA, VezaCaller.Host, CancellationToken.None)).Items, Is.Empty);
        Assert.That((await viewer.GetAsync("/admin/authorized-apps")).Has("empty"), Is.True);
    }
}
