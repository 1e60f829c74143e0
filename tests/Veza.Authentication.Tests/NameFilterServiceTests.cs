using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The services narrow a list to what the caller may see (their team, their own keys, one kind of registration) and
/// keep the caller's <c>NameContains</c> while doing so: both filters apply.
/// </summary>
[TestFixture]
public sealed class NameFilterServiceTests
{
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Key_lists_keep_the_name_filter_within_the_callers_scope()
    {
        var (viewersMatch, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "ci-DEPLOY-bot");
        await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "notes");
        var (teamMatch, _) = await _host.CreateTeamKeyAsync(TeamA, "Deploy");
        await _host.CreateTeamKeyAsync(TeamB, "deploy-b");
        var query = new ApiKeyQuery { NameContains = "deploy" };

        var viewers = await _host.Keys.ListAsync(query, await _host.SignedInAsync(ViewerA), CancellationToken.None);
        var admins = await _host.Keys.ListAsync(query, await _host.SignedInAsync(AdminA), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(viewers.Items.Select(k => k.Id), Is.EqualTo(new[] { viewersMatch }));
            Assert.That(admins.Items.Select(k => k.Id), Is.EquivalentTo(new[] { viewersMatch, teamMatch }));
        });
    }

    [Test]
    public async Task Client_and_app_lists_keep_the_name_filter_within_the_callers_scope()
    {
        var (match, _) = await _host.CreateClientAsync(TeamA, name: "a-SYNC");
        await _host.CreateClientAsync(TeamA, name: "a-other");
        var (otherTeam, _) = await _host.CreateClientAsync(TeamB, name: "b-sync");
        var root = await _host.SignedInAsync(RootAdmin);
        var app = await _host.Apps.CreateAsync(new OAuthAppDraft
        {
            Name = "Sync explorer",
            TeamId = string.Empty,
            BaseUrl = AppFlow.BaseUrl,
            RedirectUris = [AppFlow.RedirectUri],
            AllowedScopes = ["graph:read"],
        }, root, CancellationToken.None);
        var query = new OAuthClientQuery { NameContains = "Sync" };

        var teamClients = await _host.Clients.ListAsync(query, await _host.SignedInAsync(AdminA), CancellationToken.None);
        var allClients = await _host.Clients.ListAsync(query, root, CancellationToken.None);
        var apps = await _host.Apps.ListAsync(query, root, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(teamClients.Items.Select(c => c.Id), Is.EqualTo(new[] { match }));
            Assert.That(allClients.Items.Select(c => c.Id), Is.EquivalentTo(new[] { match, otherTeam }));
            Assert.That(apps.Items.Select(c => c.Id), Is.EqualTo(new[] { app.Client!.Id }));
        });
    }
}
