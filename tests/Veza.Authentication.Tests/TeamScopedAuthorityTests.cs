using System.Net;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The authority of a management call is its credential's team and the caller's role there, never their roles in
/// other teams; and a revoke can only be undone by someone with at least the authority that made it.
/// </summary>
[TestFixture]
public sealed class TeamScopedAuthorityTests
{
    private const string Multi = "multi";
    private VezaTestHost _host = null!;
    private string _multiRootKeyId = null!;
    private string _multiRootKey = null!;
    private string _multiTeamAKey = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        // Admin of the root team, viewer in team A: two keys, one per team.
        _host.Directory.AddUser(new VezaUser(Multi, Multi, IsActive: true));
        _host.Directory.SetRoles(Multi, RootTeam, "admin");
        _host.Directory.SetRoles(Multi, TeamA, "viewer");
        (_multiRootKeyId, _multiRootKey) = await _host.CreatePersonalKeyAsync(Multi, RootTeam, "multi-root");
        (_, _multiTeamAKey) = await _host.CreatePersonalKeyAsync(Multi, TeamA, "multi-team-a");
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task A_viewer_key_cannot_create_a_team_key_in_a_team_where_its_owner_is_admin()
    {
        var response = await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _multiTeamAKey, new { name = "escalate", team_id = RootTeam });

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Forbidden, 7);
        var all = await _host.Keys.ListAsync(new ApiKeyQuery { Kind = ApiKeyKind.Team }, VezaCaller.Host, CancellationToken.None);
        Assert.That(all.Items, Is.Empty);
    }

    [Test]
    public async Task A_key_of_one_team_cannot_create_a_personal_key_in_another_team()
    {
        var response = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _multiTeamAKey, new { name = "root-from-a", team_id = RootTeam });

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Forbidden, 7);
        var mine = await _host.Keys.ListAsync(new ApiKeyQuery { OwnerUserId = Multi, TeamId = RootTeam }, VezaCaller.Host, CancellationToken.None);
        Assert.That(mine.Items.Select(k => k.Name), Is.EqualTo(new[] { "multi-root" }));
    }

    [Test]
    public async Task A_key_of_one_team_cannot_see_or_revoke_its_owners_keys_of_another_team()
    {
        var get = await _host.GetAsync($"/api/preview/keys/{_multiRootKeyId}", _multiTeamAKey);
        var revoke = await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{_multiRootKeyId}:revoke", _multiTeamAKey);
        var list = await _host.GetAsync("/api/preview/keys", _multiTeamAKey);

        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _host.GetAsync("/api/me", _multiRootKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the root key still works");
        var listed = (await JsonAsync(list)).GetProperty("values").EnumerateArray().Select(v => v.GetProperty("team_id").GetString());
        Assert.That(listed, Is.All.EqualTo(TeamA));
    }

    [Test]
    public async Task The_same_user_with_a_root_key_acts_as_root_admin()
    {
        var response = await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _multiRootKey, new { name = "ok", team_id = TeamB });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task An_owner_cannot_reinstate_a_key_an_admin_revoked()
    {
        var (_, adminA) = await _host.CreatePersonalKeyAsync(AdminA, TeamA);
        var (victimId, victim) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "leaked");
        var (_, otherOwnKey) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "other");
        Assert.That((await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{victimId}:revoke", adminA)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var reinstate = await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{victimId}:reinstate", otherOwnKey);

        await ErrorAssertions.AssertErrorAsync(reinstate, HttpStatusCode.Forbidden, 7, "REVOKED_BY_HIGHER_AUTHORITY");
        Assert.That((await _host.GetAsync("/api/me", victim)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var stored = await _host.Keys.FindAsync(victimId, VezaCaller.Host, CancellationToken.None);
        Assert.That((stored!.Status, stored.RevokedAuthority), Is.EqualTo((ApiKeyStatus.Inactive, ApiKeyAuthority.TeamAdmin)));

        Assert.That((await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{victimId}:reinstate", adminA)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.GetAsync("/api/me", victim)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_owner_may_reinstate_a_key_they_revoked_themselves()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "mine");
        var (_, other) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "other");

        Assert.That((await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{id}:revoke", other)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{id}:reinstate", other)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_team_admin_cannot_reinstate_a_key_a_root_admin_revoked()
    {
        var (_, rootAdmin) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam);
        var (_, adminA) = await _host.CreatePersonalKeyAsync(AdminA, TeamA);
        var (id, _) = await _host.CreateTeamKeyAsync(TeamA, "push");
        Assert.That((await _host.SendAsync(HttpMethod.Post, $"/api/preview/teamkeys/{id}:revoke", rootAdmin)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var reinstate = await _host.SendAsync(HttpMethod.Post, $"/api/preview/teamkeys/{id}:reinstate", adminA);

        await ErrorAssertions.AssertErrorAsync(reinstate, HttpStatusCode.Forbidden, 7, "REVOKED_BY_HIGHER_AUTHORITY");
    }
}
