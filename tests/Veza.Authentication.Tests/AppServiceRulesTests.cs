using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The app rules, driven through <see cref="OAuthAppService"/>: apps act for users of every team, so only
/// administrators of the root team register and manage them.
/// </summary>
[TestFixture]
public sealed class AppServiceRulesTests
{
    private VezaTestHost _host = null!;

    private OAuthAppService Apps => _host.Apps;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static OAuthAppDraft Draft(string name, bool isPublic = false) => new()
    {
        Name = name,
        TeamId = string.Empty,
        BaseUrl = AppFlow.BaseUrl,
        RedirectUris = [AppFlow.RedirectUri],
        AllowedScopes = ["graph:read", "offline_access"],
        IsPublic = isPublic,
    };

    [Test]
    public async Task A_root_administrator_signed_in_with_the_hosts_cookie_registers_edits_and_removes_apps()
    {
        var root = await _host.SignedInAsync(RootAdmin);

        var created = await Apps.CreateAsync(Draft("Explorer"), root, CancellationToken.None);
        var id = created.Client!.Id;
        var listed = await Apps.ListAsync(new OAuthClientQuery(), root, CancellationToken.None);
        var updated = await Apps.UpdateAsync(id, Draft("Explorer 2") with { AllowedScopes = ["graph:read"] }, root, CancellationToken.None);
        var toPublic = await Apps.UpdateAsync(id, Draft("Explorer 3", isPublic: true), root, CancellationToken.None);
        var secret = await Apps.AddSecretAsync(id, null, root, CancellationToken.None);
        var revoked = await Apps.RevokeAsync(id, root, CancellationToken.None);
        var reinstated = await Apps.ReinstateAsync(id, root, CancellationToken.None);
        var deleted = await Apps.DeleteAsync(id, root, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((created.Result, created.Client.TeamId, created.Client.CreatedBy), Is.EqualTo((OAuthClientResult.Success, RootTeam, "user:" + RootAdmin)),
                "the caller's team by default");
            Assert.That(listed.Items.Select(a => a.Id), Is.EqualTo(new[] { id }));
            Assert.That((updated.Client?.Name, updated.Client?.AllowedScopes.Count), Is.EqualTo(((string?)"Explorer 2", (int?)1)));
            Assert.That(toPublic.Result, Is.EqualTo(OAuthClientResult.Invalid), "an app stays confidential");
            Assert.That(secret.Secret, Is.Not.Null);
            Assert.That((revoked.Client?.Status, reinstated.Client?.Status), Is.EqualTo(((OAuthClientStatus?)OAuthClientStatus.Inactive, (OAuthClientStatus?)OAuthClientStatus.Active)));
            Assert.That(deleted.Result, Is.EqualTo(OAuthClientResult.Success));
            Assert.That(await Apps.FindAsync(id, VezaCaller.Host, CancellationToken.None), Is.Null);
        });
    }

    [Test]
    public async Task A_team_administrator_signed_in_with_the_hosts_cookie_manages_no_app()
    {
        var adminA = await _host.SignedInAsync(AdminA);
        var (id, _) = await AppFlow.CreateAppAsync(_host);

        var create = await Apps.CreateAsync(Draft("by-team-admin"), adminA, CancellationToken.None);
        var list = await Apps.ListAsync(new OAuthClientQuery(), adminA, CancellationToken.None);
        var update = await Apps.UpdateAsync(id, Draft("taken-over"), adminA, CancellationToken.None);
        var revoke = await Apps.RevokeAsync(id, adminA, CancellationToken.None);
        var delete = await Apps.DeleteAsync(id, adminA, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((create.Result, list.Result), Is.EqualTo((OAuthClientResult.Forbidden, OAuthClientResult.Forbidden)));
            Assert.That(create.Error, Does.Contain("root team"));
            Assert.That((update.Result, revoke.Result, delete.Result), Is.EqualTo((OAuthClientResult.NotFound, OAuthClientResult.NotFound, OAuthClientResult.NotFound)));
            Assert.That(await Apps.FindAsync(id, adminA, CancellationToken.None), Is.Null);
            var stored = await Apps.FindAsync(id, VezaCaller.Host, CancellationToken.None);
            Assert.That(stored!.Name, Is.Not.EqualTo("taken-over"));
            Assert.That(stored.Status, Is.EqualTo(OAuthClientStatus.Active));
        });
    }

    [Test]
    public async Task A_team_key_and_an_app_acting_for_a_root_administrator_manage_no_app()
    {
        var (_, teamKey) = await _host.CreateTeamKeyAsync(RootTeam);
        var (appId, appToken) = await _host.AppActingForAsync(RootAdmin);

        foreach (var caller in new[] { await _host.BearerAsync(teamKey), await _host.BearerAsync(appToken) })
        {
            var create = await Apps.CreateAsync(Draft("from-" + caller.Kind) with { TeamId = RootTeam }, caller, CancellationToken.None);
            var list = await Apps.ListAsync(new OAuthClientQuery(), caller, CancellationToken.None);
            var revoke = await Apps.RevokeAsync(appId, caller, CancellationToken.None);

            Assert.That(new[] { create.Result, list.Result, revoke.Result }, Is.All.EqualTo(OAuthClientResult.Forbidden), caller.ToString());
        }

        Assert.That((await Apps.FindAsync(appId, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(OAuthClientStatus.Active));
    }
}
