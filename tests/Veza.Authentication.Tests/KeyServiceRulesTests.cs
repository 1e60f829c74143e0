using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The key rules, driven through <see cref="ApiKeyService"/> with no HTTP in between: an administrator signed in with
/// the host's cookie manages keys as their API key would let them, and everyone else is refused what they may not do.
/// </summary>
[TestFixture]
public sealed class KeyServiceRulesTests
{
    private VezaTestHost _host = null!;
    private RecordingAuditSink _audit = null!;

    private ApiKeyService Keys => _host.Keys;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync(services => services.Replace(ServiceDescriptor.Singleton<IVezaAuditSink, RecordingAuditSink>()));
        _audit = (RecordingAuditSink)_host.Services.GetRequiredService<IVezaAuditSink>();
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static ApiKeyDraft TeamKey(string name, string? teamId) => new() { Kind = ApiKeyKind.Team, Name = name, TeamId = teamId };

    private static ApiKeyDraft PersonalKey(string name, string? teamId = null, string? owner = null)
        => new() { Kind = ApiKeyKind.Personal, Name = name, TeamId = teamId, OwnerUserId = owner };

    [Test]
    public async Task A_root_administrator_signed_in_with_the_hosts_cookie_creates_and_manages_any_teams_keys()
    {
        var root = await _host.SignedInAsync(RootAdmin);
        var (viewersKey, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "viewer-script");

        var created = await Keys.CreateAsync(TeamKey("push", TeamB), root, CancellationToken.None);
        var id = created.Key!.Id;
        var listed = await Keys.ListAsync(new ApiKeyQuery(), root, CancellationToken.None);
        var renamed = await Keys.RenameAsync(id, "push-renamed", root, CancellationToken.None);
        var revokedOthers = await Keys.RevokeAsync(viewersKey, root, CancellationToken.None);
        var reinstated = await Keys.ReinstateAsync(viewersKey, root, CancellationToken.None);
        var deleted = await Keys.DeleteAsync(id, root, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((created.Result, created.Key.TeamId), Is.EqualTo((ApiKeyResult.Success, TeamB)));
            Assert.That(created.AccessKey, Does.StartWith("veza_"));
            Assert.That(listed.Items.Select(k => k.Id), Is.SupersetOf(new[] { id, viewersKey }));
            Assert.That((renamed.Result, renamed.Key?.Name), Is.EqualTo((ApiKeyResult.Success, (string?)"push-renamed")));
            Assert.That((revokedOthers.Result, reinstated.Result, deleted.Result), Is.EqualTo((ApiKeyResult.Success, ApiKeyResult.Success, ApiKeyResult.Success)));
            Assert.That(deleted.Key?.Id, Is.EqualTo(id), "the key as it was");
        });
        Assert.That(await Keys.FindAsync(id, VezaCaller.Host, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Changes_by_a_cookie_caller_are_audited_as_that_user()
    {
        var root = await _host.SignedInAsync(RootAdmin);

        var created = await Keys.CreateAsync(TeamKey("audited", TeamA), root, CancellationToken.None);
        await Keys.RevokeAsync(created.Key!.Id, root, CancellationToken.None);

        var events = _audit.Events.Where(e => e.TargetId == created.Key.Id).Select(e => (e.Action, e.Outcome, e.Actor, e.ActorCredentialKind, e.TeamId)).ToList();
        Assert.That(events, Is.EqualTo(new[]
        {
            ("api_key.create", "success", "user:" + RootAdmin, (string?)"interactive_sign_in", (string?)TeamA),
            ("api_key.revoke", "success", "user:" + RootAdmin, "interactive_sign_in", TeamA),
        }));
        var stored = await Keys.FindAsync(created.Key.Id, VezaCaller.Host, CancellationToken.None);
        Assert.That((stored!.RevokedBy, stored.RevokedAuthority), Is.EqualTo(("user:" + RootAdmin, ApiKeyAuthority.RootAdmin)));
    }

    [Test]
    public async Task A_team_administrator_signed_in_with_the_hosts_cookie_manages_every_key_of_their_team_and_no_other()
    {
        var adminA = await _host.SignedInAsync(AdminA);
        var (viewersKey, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (teamBKey, _) = await _host.CreateTeamKeyAsync(TeamB);

        var own = await Keys.CreateAsync(TeamKey("a-push", null), adminA, CancellationToken.None);
        var listed = await Keys.ListAsync(new ApiKeyQuery(), adminA, CancellationToken.None);
        var revokeMember = await Keys.RevokeAsync(viewersKey, adminA, CancellationToken.None);
        var otherTeamList = await Keys.ListAsync(new ApiKeyQuery { TeamId = TeamB }, adminA, CancellationToken.None);
        var otherTeamCreate = await Keys.CreateAsync(TeamKey("sneaky", TeamB), adminA, CancellationToken.None);
        var otherTeamRevoke = await Keys.RevokeAsync(teamBKey, adminA, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((own.Result, own.Key?.TeamId), Is.EqualTo((ApiKeyResult.Success, (string?)TeamA)), "the caller's team by default");
            Assert.That(listed.Items.Select(k => k.TeamId), Is.All.EqualTo(TeamA));
            Assert.That(listed.Items.Select(k => k.Id), Is.SupersetOf(new[] { own.Key!.Id, viewersKey }));
            Assert.That(revokeMember.Result, Is.EqualTo(ApiKeyResult.Success));
            Assert.That(otherTeamList.Result, Is.EqualTo(ApiKeyResult.Forbidden));
            Assert.That(otherTeamList.Items, Is.Empty);
            Assert.That(otherTeamCreate.Result, Is.EqualTo(ApiKeyResult.Forbidden));
            Assert.That(otherTeamRevoke.Result, Is.EqualTo(ApiKeyResult.NotFound), "another team's key is not confirmed");
            Assert.That(await Keys.FindAsync(teamBKey, adminA, CancellationToken.None), Is.Null);
            Assert.That((await Keys.FindAsync(teamBKey, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Active));
        });
    }

    [Test]
    public async Task A_team_administrator_of_another_team_is_refused_this_teams_keys()
    {
        var adminB = await _host.SignedInAsync(AdminB);
        var (teamAKey, _) = await _host.CreateTeamKeyAsync(TeamA);
        var (viewersKey, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var create = await Keys.CreateAsync(TeamKey("into-a", TeamA), adminB, CancellationToken.None);
        var list = await Keys.ListAsync(new ApiKeyQuery { TeamId = TeamA }, adminB, CancellationToken.None);
        var rename = await Keys.RenameAsync(teamAKey, "taken-over", adminB, CancellationToken.None);
        var revoke = await Keys.RevokeAsync(viewersKey, adminB, CancellationToken.None);
        var delete = await Keys.DeleteAsync(teamAKey, adminB, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((create.Result, list.Result), Is.EqualTo((ApiKeyResult.Forbidden, ApiKeyResult.Forbidden)));
            Assert.That((rename.Result, revoke.Result, delete.Result), Is.EqualTo((ApiKeyResult.NotFound, ApiKeyResult.NotFound, ApiKeyResult.NotFound)));
            Assert.That(await Keys.FindAsync(teamAKey, adminB, CancellationToken.None), Is.Null);
            var stored = await Keys.FindAsync(teamAKey, VezaCaller.Host, CancellationToken.None);
            Assert.That(stored!.Name, Is.Not.EqualTo("taken-over"));
            Assert.That(stored.Status, Is.EqualTo(ApiKeyStatus.Active));
        });
        Assert.That(_audit.Events.Where(e => e.Actor == "user:" + AdminB).Select(e => (e.Action, e.Outcome)),
            Does.Contain(("api_key.create", "permission_denied")).And.Contain(("api_key.delete", "permission_denied")));
    }

    [Test]
    public async Task A_member_signed_in_with_the_hosts_cookie_manages_only_their_own_personal_keys()
    {
        var viewer = await _host.SignedInAsync(ViewerA);
        var (adminsKey, _) = await _host.CreatePersonalKeyAsync(AdminA, TeamA);
        await _host.CreateTeamKeyAsync(TeamA);

        var mine = await Keys.CreateAsync(PersonalKey("mine"), viewer, CancellationToken.None);
        var forSomeoneElse = await Keys.CreateAsync(PersonalKey("for-admin", owner: AdminA), viewer, CancellationToken.None);
        var elsewhere = await Keys.CreateAsync(PersonalKey("elsewhere", TeamB), viewer, CancellationToken.None);
        var teamKey = await Keys.CreateAsync(TeamKey("team", TeamA), viewer, CancellationToken.None);
        var visible = await Keys.ListAsync(new ApiKeyQuery(), viewer, CancellationToken.None);
        var othersListed = await Keys.ListAsync(new ApiKeyQuery { OwnerUserId = AdminA }, viewer, CancellationToken.None);
        var teamKeysListed = await Keys.ListAsync(new ApiKeyQuery { Kind = ApiKeyKind.Team }, viewer, CancellationToken.None);
        var revokeOthers = await Keys.RevokeAsync(adminsKey, viewer, CancellationToken.None);
        var renameMine = await Keys.RenameAsync(mine.Key!.Id, "mine-renamed", viewer, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((mine.Result, mine.Key.OwnerUserId, mine.Key.TeamId), Is.EqualTo((ApiKeyResult.Success, (string?)ViewerA, TeamA)));
            Assert.That((forSomeoneElse.Result, elsewhere.Result, teamKey.Result),
                Is.EqualTo((ApiKeyResult.Forbidden, ApiKeyResult.Forbidden, ApiKeyResult.Forbidden)));
            Assert.That(visible.Items.Select(k => (k.Kind, k.OwnerUserId)), Is.All.EqualTo((ApiKeyKind.Personal, (string?)ViewerA)));
            Assert.That((othersListed.Result, teamKeysListed.Result), Is.EqualTo((ApiKeyResult.Forbidden, ApiKeyResult.Forbidden)));
            Assert.That(revokeOthers.Result, Is.EqualTo(ApiKeyResult.NotFound));
            Assert.That(renameMine.Result, Is.EqualTo(ApiKeyResult.Success));
        });
    }

    [Test]
    public async Task An_owner_cannot_reinstate_a_key_an_administrator_signed_in_with_the_hosts_cookie_revoked()
    {
        var (id, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await Keys.RevokeAsync(id, await _host.SignedInAsync(AdminA), CancellationToken.None)).Result, Is.EqualTo(ApiKeyResult.Success));

        var byOwner = await Keys.ReinstateAsync(id, await _host.SignedInAsync(ViewerA), CancellationToken.None);
        var byAdmin = await Keys.ReinstateAsync(id, await _host.SignedInAsync(AdminA), CancellationToken.None);

        Assert.That((byOwner.Result, byAdmin.Result), Is.EqualTo((ApiKeyResult.Outranked, ApiKeyResult.Success)));
        Assert.That(byOwner.Error, Is.Not.Empty);
    }

    [Test]
    public async Task A_team_key_and_an_app_token_manage_no_keys()
    {
        await _host.SwitchOAuth2Async(true);
        var (teamKeyId, teamKey) = await _host.CreateTeamKeyAsync(RootTeam);
        var (_, appToken) = await _host.AppActingForAsync(RootAdmin);
        var (rootAdminsKey, _) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam);

        foreach (var caller in new[] { await _host.BearerAsync(teamKey), await _host.BearerAsync(appToken) })
        {
            var create = await Keys.CreateAsync(PersonalKey("from-" + caller.Kind), caller, CancellationToken.None);
            var createTeamKey = await Keys.CreateAsync(TeamKey("team-from-" + caller.Kind, RootTeam), caller, CancellationToken.None);
            var list = await Keys.ListAsync(new ApiKeyQuery(), caller, CancellationToken.None);
            var revoke = await Keys.RevokeAsync(rootAdminsKey, caller, CancellationToken.None);
            var delete = await Keys.DeleteAsync(teamKeyId, caller, CancellationToken.None);

            Assert.Multiple(async () =>
            {
                Assert.That(new[] { create.Result, createTeamKey.Result, list.Result, revoke.Result, delete.Result }, Is.All.EqualTo(ApiKeyResult.Forbidden),
                    caller.ToString());
                Assert.That(create.Error, Does.Contain("user's credential"));
                Assert.That(await Keys.FindAsync(rootAdminsKey, caller, CancellationToken.None), Is.Null);
            });
        }

        Assert.That((await Keys.FindAsync(rootAdminsKey, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Active));
    }

    [Test]
    public async Task The_host_creates_keys_anywhere_for_anyone_and_its_revoke_outranks_every_administrator()
    {
        var seeded = await Keys.CreateAsync(PersonalKey("seeded", TeamB, ViewerA), VezaCaller.Host, CancellationToken.None);
        var noOwner = await Keys.CreateAsync(PersonalKey("no-owner", TeamA), VezaCaller.Host, CancellationToken.None);
        var noTeam = await Keys.CreateAsync(TeamKey("no-team", null), VezaCaller.Host, CancellationToken.None);
        var badName = await Keys.CreateAsync(TeamKey("tab\tname", TeamA), VezaCaller.Host, CancellationToken.None);
        await Keys.RevokeAsync(seeded.Key!.Id, VezaCaller.ForHost("admin-cli"), CancellationToken.None);

        var byRoot = await Keys.ReinstateAsync(seeded.Key.Id, await _host.SignedInAsync(RootAdmin), CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(seeded.Result, Is.EqualTo(ApiKeyResult.Success), "the host is held to no membership");
            Assert.That((noOwner.Result, noTeam.Result, badName.Result), Is.EqualTo((ApiKeyResult.Invalid, ApiKeyResult.Invalid, ApiKeyResult.InvalidName)));
            Assert.That(byRoot.Result, Is.EqualTo(ApiKeyResult.Outranked));
            var stored = await Keys.FindAsync(seeded.Key.Id, VezaCaller.Host, CancellationToken.None);
            Assert.That((stored!.RevokedBy, stored.RevokedAuthority), Is.EqualTo(("admin-cli", ApiKeyAuthority.Host)));
        });
    }
}
