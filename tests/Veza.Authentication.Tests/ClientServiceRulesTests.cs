using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The client rules, driven through <see cref="OAuthClientService"/>: administrators only, of the root team for every
/// team, of a team for that team and with roles they hold there; nobody else manages a client.
/// </summary>
[TestFixture]
public sealed class ClientServiceRulesTests
{
    private VezaTestHost _host = null!;
    private RecordingAuditSink _audit = null!;

    private OAuthClientService Clients => _host.Clients;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync(services => services.Replace(ServiceDescriptor.Singleton<IVezaAuditSink, RecordingAuditSink>()));
        _audit = (RecordingAuditSink)_host.Services.GetRequiredService<IVezaAuditSink>();
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static OAuthClientDraft Draft(string name, string teamId = "", string? role = "admin") => new() { Name = name, TeamId = teamId, Role = role };

    [Test]
    public async Task A_root_administrator_signed_in_with_the_hosts_cookie_registers_and_manages_any_teams_clients()
    {
        var root = await _host.SignedInAsync(RootAdmin);

        var created = await Clients.CreateAsync(Draft("b-sync", TeamB, "operator"), root, CancellationToken.None);
        var id = created.Client!.Id;
        var firstSecret = created.Client.Secrets[0].Id;
        var listed = await Clients.ListAsync(new OAuthClientQuery(), root, CancellationToken.None);
        var renamed = await Clients.RenameAsync(id, "b-sync-renamed", root, CancellationToken.None);
        var added = await Clients.AddSecretAsync(id, null, root, CancellationToken.None);
        var removed = await Clients.RemoveSecretAsync(id, firstSecret, root, CancellationToken.None);
        var revoked = await Clients.RevokeAsync(id, root, CancellationToken.None);
        var reinstated = await Clients.ReinstateAsync(id, root, CancellationToken.None);
        var deleted = await Clients.DeleteAsync(id, root, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That((created.Result, created.Client.TeamId, created.Client.CreatedBy), Is.EqualTo((OAuthClientResult.Success, TeamB, "user:" + RootAdmin)));
            Assert.That(created.Secret, Does.StartWith("vezacs_"));
            Assert.That(listed.Items.Select(c => c.Id), Does.Contain(id));
            Assert.That(renamed.Client?.Name, Is.EqualTo("b-sync-renamed"));
            Assert.That(added.Result, Is.EqualTo(OAuthClientResult.Success));
            Assert.That(added.Secret, Does.StartWith("vezacs_"));
            Assert.That(removed.Client?.Secrets.Select(s => s.Id), Is.EqualTo(new[] { added.SecretId }));
            Assert.That((revoked.Client?.Status, revoked.Client?.RevokedBy), Is.EqualTo(((OAuthClientStatus?)OAuthClientStatus.Inactive, (string?)"user:" + RootAdmin)));
            Assert.That(reinstated.Client?.Status, Is.EqualTo(OAuthClientStatus.Active));
            Assert.That((deleted.Result, deleted.Client?.Id), Is.EqualTo((OAuthClientResult.Success, (string?)id)), "the client as it was");
            Assert.That(await Clients.FindAsync(id, VezaCaller.Host, CancellationToken.None), Is.Null);
        });
        var actors = _audit.Events.Where(e => e.TargetId == id).Select(e => e.Actor).ToList();
        Assert.That(actors, Has.Count.EqualTo(7).And.All.EqualTo("user:" + RootAdmin), "one event per change, each as the user");
    }

    [Test]
    public async Task A_team_administrator_signed_in_with_the_hosts_cookie_gives_a_client_only_a_role_they_hold_in_their_own_team()
    {
        var adminA = await _host.SignedInAsync(AdminA);

        var operatorRole = await Clients.CreateAsync(Draft("too-much", role: "operator"), adminA, CancellationToken.None);
        var defaultRole = await Clients.CreateAsync(Draft("default-role", role: null), adminA, CancellationToken.None);
        var otherTeam = await Clients.CreateAsync(Draft("elsewhere", TeamB), adminA, CancellationToken.None);
        var mine = await Clients.CreateAsync(Draft("mine"), adminA, CancellationToken.None);
        var listed = await Clients.ListAsync(new OAuthClientQuery(), adminA, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((operatorRole.Result, defaultRole.Result, otherTeam.Result),
                Is.EqualTo((OAuthClientResult.Forbidden, OAuthClientResult.Forbidden, OAuthClientResult.Forbidden)));
            Assert.That(operatorRole.Error, Does.Contain("'operator'"));
            Assert.That((mine.Result, mine.Client?.TeamId), Is.EqualTo((OAuthClientResult.Success, (string?)TeamA)), "the caller's team by default");
            Assert.That(listed.Items.Select(c => c.Id), Is.EqualTo(new[] { mine.Client!.Id }));
        });
        Assert.That(_audit.Events.Where(e => e.Action == "oauth2_client.create").Select(e => e.Outcome),
            Is.EqualTo(new[] { "permission_denied", "permission_denied", "permission_denied", "success" }));
    }

    [Test]
    public async Task A_team_administrator_of_another_team_is_refused_this_teams_clients()
    {
        var adminB = await _host.SignedInAsync(AdminB);
        var (id, _) = await _host.CreateClientAsync(TeamA, role: "admin");

        var list = await Clients.ListAsync(new OAuthClientQuery { TeamId = TeamA }, adminB, CancellationToken.None);
        var revoke = await Clients.RevokeAsync(id, adminB, CancellationToken.None);
        var addSecret = await Clients.AddSecretAsync(id, null, adminB, CancellationToken.None);
        var delete = await Clients.DeleteAsync(id, adminB, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(list.Result, Is.EqualTo(OAuthClientResult.Forbidden));
            Assert.That((revoke.Result, addSecret.Result, delete.Result), Is.EqualTo((OAuthClientResult.NotFound, OAuthClientResult.NotFound, OAuthClientResult.NotFound)));
            Assert.That(addSecret.Secret, Is.Null);
            Assert.That(await Clients.FindAsync(id, adminB, CancellationToken.None), Is.Null);
            var stored = await Clients.FindAsync(id, VezaCaller.Host, CancellationToken.None);
            Assert.That((stored!.Status, stored.Secrets.Count), Is.EqualTo((OAuthClientStatus.Active, 1)));
        });
    }

    [Test]
    public async Task A_member_signed_in_with_the_hosts_cookie_manages_no_clients()
    {
        var viewer = await _host.SignedInAsync(ViewerA);
        var (id, _) = await _host.CreateClientAsync(TeamA, role: "viewer");

        var create = await Clients.CreateAsync(Draft("nope", role: "viewer"), viewer, CancellationToken.None);
        var list = await Clients.ListAsync(new OAuthClientQuery(), viewer, CancellationToken.None);
        var revoke = await Clients.RevokeAsync(id, viewer, CancellationToken.None);

        Assert.That((create.Result, list.Result, revoke.Result), Is.EqualTo((OAuthClientResult.Forbidden, OAuthClientResult.Forbidden, OAuthClientResult.NotFound)));
    }

    [Test]
    public async Task A_team_key_an_app_token_and_a_client_manage_no_clients()
    {
        var (_, teamKey) = await _host.CreateTeamKeyAsync(RootTeam);
        var (_, appToken) = await _host.AppActingForAsync(RootAdmin);
        var client = await _host.CreateClientAsync(RootTeam, role: "admin");

        foreach (var caller in new[] { await _host.BearerAsync(teamKey), await _host.BearerAsync(appToken), await _host.BearerAsync(await _host.GetTokenAsync(client)) })
        {
            var create = await Clients.CreateAsync(Draft("from-" + caller.Kind, RootTeam), caller, CancellationToken.None);
            var list = await Clients.ListAsync(new OAuthClientQuery(), caller, CancellationToken.None);
            var revoke = await Clients.RevokeAsync(client.Id, caller, CancellationToken.None);

            Assert.That(new[] { create.Result, list.Result, revoke.Result }, Is.All.EqualTo(OAuthClientResult.Forbidden), caller.ToString());
        }

        Assert.That((await Clients.FindAsync(client.Id, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(OAuthClientStatus.Active));
    }
}
