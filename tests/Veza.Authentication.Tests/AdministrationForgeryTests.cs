using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>Every form of the Administration pages carries an antiforgery token bound to its user: a POST without
/// one, or with a token taken from another user's page, changes nothing.</summary>
[TestFixture]
public sealed class AdministrationForgeryTests
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

    private async Task<ApiKeyRecord> TeamKeyAsync(string name)
        => (await _host.Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Team, Name = name, TeamId = TeamA }, VezaCaller.Host, CancellationToken.None)).Key!;

    [Test]
    public async Task A_post_without_a_token_changes_nothing()
    {
        var key = await TeamKeyAsync("kept");
        var admin = new AdminSession(_host, AdminA);
        await admin.GetAsync("/admin/api-keys/team/new");

        var create = await admin.PostAsync("/admin/api-keys/team/new", [new("name", "forged"), new("team_id", TeamA)], withToken: false);
        var revoke = await admin.PostAsync($"/admin/api-keys/team/{key.Id}/revoke", withToken: false);
        var settings = await new AdminSession(_host, RootAdmin).PostAsync("/admin/sign-in-settings", [new("oauth2", "off")], withToken: false);

        Assert.Multiple(async () =>
        {
            Assert.That(create.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(create.TextOf("page-error"), Does.Contain("form has expired"));
            Assert.That(revoke.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(settings.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await _host.Keys.ListAsync(new ApiKeyQuery { Name = "forged" }, VezaCaller.Host, CancellationToken.None)).Items, Is.Empty);
            Assert.That((await _host.Keys.FindAsync(key.Id, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Active));
            Assert.That((await _host.Services.GetRequiredService<Veza.Authentication.OAuth2.OAuthServerSwitch>().ReadAsync(CancellationToken.None)).OAuth2Enabled, Is.True);
        });
    }

    [Test]
    public async Task A_token_from_another_users_page_is_refused()
    {
        var key = await TeamKeyAsync("target");
        // The attacker, an administrator of team B, reads a page of their own and takes its token and cookie ...
        var attacker = new AdminSession(_host, AdminB);
        await attacker.GetAsync("/admin/api-keys/team/new");
        var stolen = attacker.Token!;

        // ... and gets team A's administrator, with their own session, to post it.
        var victim = new AdminSession(_host, AdminA);
        await victim.GetAsync("/admin/api-keys/team/new");
        var revoke = await victim.PostAsync($"/admin/api-keys/team/{key.Id}/revoke", token: stolen);
        var create = await victim.PostAsync("/admin/api-keys/team/new", [new("name", "forged"), new("team_id", TeamA)], token: stolen);

        Assert.Multiple(async () =>
        {
            Assert.That(revoke.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(create.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await _host.Keys.FindAsync(key.Id, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Active));
            Assert.That((await _host.Keys.ListAsync(new ApiKeyQuery { Name = "forged" }, VezaCaller.Host, CancellationToken.None)).Items, Is.Empty);
        });

        // With the token of their own page the same post works: the refusals above were the token's.
        await victim.GetAsync($"/admin/api-keys/team/{key.Id}/revoke");
        var own = await victim.PostAsync($"/admin/api-keys/team/{key.Id}/revoke");
        Assert.That(own.Status, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await _host.Keys.FindAsync(key.Id, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Inactive));
    }

    [Test]
    public async Task A_token_without_its_cookie_is_refused()
    {
        var key = await TeamKeyAsync("cookie-less");
        var reader = new AdminSession(_host, AdminA);
        await reader.GetAsync("/admin/api-keys/team/new");

        // The same user in a fresh browser: the token alone, without the antiforgery cookie it pairs with.
        var fresh = new AdminSession(_host, AdminA);
        var revoke = await fresh.PostAsync($"/admin/api-keys/team/{key.Id}/revoke", token: reader.Token);
        Assert.That(revoke.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await _host.Keys.FindAsync(key.Id, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Active));
    }

    [Test]
    public async Task An_oversized_form_is_refused_before_it_is_read()
    {
        var admin = new AdminSession(_host, AdminA);
        await admin.GetAsync("/admin/api-keys/team/new");
        var page = await admin.PostAsync("/admin/api-keys/team/new", [new("name", "big"), new("team_id", TeamA), new("padding", new string('x', 100_000))]);
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await _host.Keys.ListAsync(new ApiKeyQuery { Name = "big" }, VezaCaller.Host, CancellationToken.None)).Items, Is.Empty);
    }
}
