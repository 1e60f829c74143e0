using System.Security.Claims;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// Who a caller is: a host's signed-in user (its cookie) gets their authority team and roles from the directory; a
/// Veza credential keeps its own team, and only a person's own credential may manage anything.
/// </summary>
[TestFixture]
public sealed class CallerFactoryTests
{
    private const string Multi = "multi";
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        // A member of two teams, administrator of neither root nor any: no single authority team.
        _host.Directory.AddUser(new VezaUser(Multi, Multi, IsActive: true));
        _host.Directory.SetRoles(Multi, TeamA, "viewer");
        _host.Directory.SetRoles(Multi, TeamB, "operator");
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task An_administrator_of_the_root_team_signed_in_with_a_cookie_acts_for_the_root_team()
    {
        var caller = await _host.SignedInAsync(RootAdmin);

        Assert.Multiple(() =>
        {
            Assert.That(caller.Kind, Is.EqualTo(VezaCallerKind.InteractiveSignIn));
            Assert.That((caller.Subject, caller.UserId, caller.TeamId), Is.EqualTo(("user:" + RootAdmin, RootAdmin, RootTeam)));
            Assert.That(caller.Roles, Is.EqualTo(new[] { "admin" }));
            Assert.That((caller.MayManage, caller.IsAdministrator, caller.IsRootAdministrator), Is.EqualTo((true, true, true)));
            Assert.That(caller.CredentialId, Is.Null);
        });
    }

    [Test]
    public async Task An_administrator_of_the_root_team_who_also_belongs_to_another_team_still_acts_for_the_root_team()
    {
        _host.Directory.SetRoles(RootAdmin, TeamA, "viewer");

        var caller = await _host.SignedInAsync(RootAdmin);

        Assert.That((caller.TeamId, caller.IsRootAdministrator), Is.EqualTo((RootTeam, true)));
    }

    [Test]
    public async Task A_user_of_one_team_signed_in_with_a_cookie_acts_for_that_team_with_their_roles_there()
    {
        var admin = await _host.SignedInAsync(AdminA);
        var viewer = await _host.SignedInAsync(ViewerA);

        Assert.Multiple(() =>
        {
            Assert.That((admin.TeamId, admin.IsAdministrator, admin.IsRootAdministrator), Is.EqualTo((TeamA, true, false)));
            Assert.That((viewer.TeamId, viewer.IsAdministrator, viewer.MayManage), Is.EqualTo((TeamA, false, true)));
            Assert.That(viewer.Roles, Is.EqualTo(new[] { "viewer" }));
        });
    }

    [Test]
    public async Task A_user_of_several_teams_gets_a_caller_only_for_a_team_the_host_chose()
    {
        var unchosen = await _host.CallerFactory().FromPrincipalAsync(TestCallers.CookiePrincipal(Multi), CancellationToken.None);
        var fromClaim = await _host.CallerFactory().FromPrincipalAsync(TestCallers.CookiePrincipal(Multi, TeamB), CancellationToken.None);
        var chosen = await _host.CallerAsync(Multi, TeamA);

        Assert.Multiple(() =>
        {
            Assert.That(unchosen, Is.Null, "no single authority team");
            Assert.That(fromClaim?.TeamId, Is.EqualTo(TeamB));
            Assert.That(fromClaim?.Roles, Is.EqualTo(new[] { "operator" }));
            Assert.That(chosen.TeamId, Is.EqualTo(TeamA));
            Assert.That(chosen.Roles, Is.EqualTo(new[] { "viewer" }));
        });
    }

    [Test]
    public async Task Unknown_inactive_and_unauthenticated_users_and_teams_they_are_not_in_get_no_caller()
    {
        _host.Directory.AddUser(new VezaUser("gone", "gone", IsActive: false));
        _host.Directory.SetRoles("gone", TeamA, "admin");
        var factory = _host.CallerFactory();

        Assert.Multiple(async () =>
        {
            Assert.That(await factory.FromPrincipalAsync(TestCallers.CookiePrincipal("nobody"), CancellationToken.None), Is.Null);
            Assert.That(await factory.FromPrincipalAsync(TestCallers.CookiePrincipal("gone"), CancellationToken.None), Is.Null);
            Assert.That(await factory.ForUserAsync("gone", TeamA, CancellationToken.None), Is.Null);
            Assert.That(await factory.ForUserAsync(ViewerA, TeamB, CancellationToken.None), Is.Null, "not a member of that team");
            Assert.That(await factory.ForUserAsync(ViewerA, "no-such-team", CancellationToken.None), Is.Null);
            Assert.That(await factory.FromPrincipalAsync(TestCallers.CookiePrincipal(ViewerA, TeamB), CancellationToken.None), Is.Null,
                "a team claim the user holds no role in");
            var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, RootAdmin)]));
            Assert.That(await factory.FromPrincipalAsync(anonymous, CancellationToken.None), Is.Null, "not authenticated");
        });
    }

    [Test]
    public async Task A_cookie_callers_roles_are_the_directorys_of_now()
    {
        var before = await _host.SignedInAsync(AdminA);
        _host.Directory.SetRoles(AdminA, TeamA, "viewer");

        var after = await _host.SignedInAsync(AdminA);

        Assert.That((before.IsAdministrator, after.IsAdministrator), Is.EqualTo((true, false)));
    }

    [Test]
    public async Task A_personal_key_acts_for_its_own_team_whatever_its_owner_holds_elsewhere()
    {
        _host.Directory.SetRoles(RootAdmin, TeamA, "viewer");
        var (rootKeyId, rootKey) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam);
        var (_, teamAKey) = await _host.CreatePersonalKeyAsync(RootAdmin, TeamA);

        var root = await _host.BearerAsync(rootKey);
        var inTeamA = await _host.BearerAsync(teamAKey);

        Assert.Multiple(() =>
        {
            Assert.That((root.Kind, root.TeamId, root.IsRootAdministrator, root.CredentialId),
                Is.EqualTo((VezaCallerKind.PersonalApiKey, RootTeam, true, rootKeyId)));
            Assert.That((inTeamA.TeamId, inTeamA.IsAdministrator, inTeamA.MayManage), Is.EqualTo((TeamA, false, true)));
        });
    }

    [Test]
    public async Task A_team_key_and_an_app_acting_for_a_root_administrator_become_callers_that_manage_nothing()
    {
        await _host.SwitchOAuth2Async(true);
        var (_, teamKey) = await _host.CreateTeamKeyAsync(RootTeam);
        var (_, appToken) = await _host.AppActingForAsync(RootAdmin);
        var client = await _host.CreateClientAsync(RootTeam, role: "admin");

        var team = await _host.BearerAsync(teamKey);
        var byApp = await _host.BearerAsync(appToken);
        var byClient = await _host.BearerAsync(await _host.GetTokenAsync(client));

        Assert.Multiple(() =>
        {
            Assert.That((team.Kind, team.MayManage, team.IsAdministrator, team.UserId), Is.EqualTo((VezaCallerKind.TeamApiKey, false, false, (string?)null)));
            Assert.That((byApp.Kind, byApp.MayManage, byApp.IsRootAdministrator, byApp.UserId),
                Is.EqualTo((VezaCallerKind.OAuth2App, false, false, (string?)RootAdmin)));
            Assert.That((byClient.Kind, byClient.MayManage, byClient.IsAdministrator), Is.EqualTo((VezaCallerKind.OAuth2Client, false, false)));
        });
    }

    [Test]
    public void The_host_caller_is_trusted_and_names_itself_in_the_trail()
    {
        var named = VezaCaller.ForHost("admin-cli");

        Assert.Multiple(() =>
        {
            Assert.That((VezaCaller.Host.Kind, VezaCaller.Host.Subject, VezaCaller.Host.MayManage), Is.EqualTo((VezaCallerKind.Host, "system", true)));
            Assert.That((named.Kind, named.Subject, named.TeamId), Is.EqualTo((VezaCallerKind.Host, "admin-cli", (string?)null)));
            Assert.Throws<ArgumentException>(() => VezaCaller.ForHost(" "));
        });
    }
}
