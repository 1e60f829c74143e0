using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class ApiKeyLifecycleTests
{
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync() => _host = await VezaTestHost.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<HttpStatusCode> StatusOfAsync(string key, string path = "/api/me")
        => (await _host.GetAsync(path, key)).StatusCode;

    [Test]
    public async Task Revoked_key_is_refused_on_the_next_request_and_works_again_once_reinstated()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.OK), "cached after this request");

        await _host.RevokeAsync(id);
        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.Unauthorized));

        await _host.ReinstateAsync(id);
        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Deleted_key_is_refused_on_the_next_request()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.OK));

        await _host.Keys.DeleteAsync(id, VezaCaller.Host, CancellationToken.None);

        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Renamed_team_key_shows_its_new_name_on_the_next_request()
    {
        var (id, key) = await _host.CreateTeamKeyAsync(TeamA, "before");
        Assert.That(await StatusOfAsync(key, "/api/me"), Is.EqualTo(HttpStatusCode.OK));

        await _host.Keys.RenameAsync(id, "after", VezaCaller.Host, CancellationToken.None);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new("Bearer", key);
        var response = await _host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // The principal's name is the team key's name: it comes from the remembered check, so only eviction renews it.
        Assert.That((await JsonAsync(response)).GetProperty("name").GetString(), Is.EqualTo("after"));
    }

    [Test]
    public async Task Deactivated_users_personal_keys_stop_working_at_once()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.OK));

        _host.Directory.SetActive(OperatorA, false);

        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Personal_key_never_carries_more_than_its_owner_currently_has()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/push", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        _host.Directory.SetRoles(OperatorA, TeamA, "viewer");

        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/push", key)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await StatusOfAsync(key, "/api/graph"), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Personal_key_stops_working_when_its_owner_leaves_the_team_even_before_the_host_reports_it()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.OK));

        _host.Directory.SetRoles(OperatorA, TeamA);

        Assert.That(await StatusOfAsync(key), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Removing_a_user_from_a_team_deletes_their_personal_keys_for_that_team_only()
    {
        _host.Directory.SetRoles(OperatorA, TeamB, "viewer");
        var (inA, keyA) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        var (inB, keyB) = await _host.CreatePersonalKeyAsync(OperatorA, TeamB);
        var (other, _) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (team, _) = await _host.CreateTeamKeyAsync(TeamA);

        _host.Directory.SetRoles(OperatorA, TeamA);
        var deleted = await _host.Keys.UserRemovedFromTeamAsync(OperatorA, TeamA, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(deleted, Is.EqualTo(new[] { inA }));
            Assert.That(await _host.Keys.FindAsync(inA, VezaCaller.Host, CancellationToken.None), Is.Null);
            Assert.That(await _host.Keys.FindAsync(inB, VezaCaller.Host, CancellationToken.None), Is.Not.Null);
            Assert.That(await _host.Keys.FindAsync(other, VezaCaller.Host, CancellationToken.None), Is.Not.Null);
            Assert.That(await _host.Keys.FindAsync(team, VezaCaller.Host, CancellationToken.None), Is.Not.Null);
            Assert.That(await StatusOfAsync(keyA), Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await StatusOfAsync(keyB), Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Removing_a_user_from_the_platform_deletes_all_their_personal_keys()
    {
        _host.Directory.SetRoles(OperatorA, TeamB, "viewer");
        var (inA, keyA) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        var (inB, _) = await _host.CreatePersonalKeyAsync(OperatorA, TeamB);
        Assert.That(await StatusOfAsync(keyA), Is.EqualTo(HttpStatusCode.OK));

        _host.Directory.RemoveUser(OperatorA);
        var deleted = await _host.Keys.UserRemovedAsync(OperatorA, CancellationToken.None);

        Assert.That(deleted, Is.EquivalentTo(new[] { inA, inB }));
        Assert.That(await StatusOfAsync(keyA), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Stored_hash_with_older_parameters_is_upgraded_after_the_next_successful_check()
    {
        var store = _host.Services.GetRequiredService<IApiKeyStore>();
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var before = (await store.FindByIdAsync(id, CancellationToken.None))!.SecretHash;
        Assert.That(before, Does.Contain("m=64,t=1,p=1"));

        await using var upgraded = await VezaTestHost.StartAsync(options: o => o.Argon2id.Iterations = 2);
        var record = (await store.FindByIdAsync(id, CancellationToken.None))!;
        var upgradedStore = upgraded.Services.GetRequiredService<IApiKeyStore>();
        await upgradedStore.CreateAsync(record, null, CancellationToken.None);

        Assert.That(await StatusOfAsyncOn(upgraded, key), Is.EqualTo(HttpStatusCode.OK));

        // The upgrade runs off the request path.
        var after = await Eventually.ValueAsync(async () => (await upgradedStore.FindByIdAsync(id, CancellationToken.None))!.SecretHash,
            hash => hash.Contains("m=64,t=2,p=1", StringComparison.Ordinal));

        Assert.That(after, Does.Contain("m=64,t=2,p=1"));
        Assert.That(await StatusOfAsyncOn(upgraded, key), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_hash_upgrade_that_hangs_in_the_store_does_not_hold_up_the_request()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var record = (await _host.Services.GetRequiredService<IApiKeyStore>().FindByIdAsync(id, CancellationToken.None))!;
        var hanging = new SwitchableApiKeyStore(new Veza.Authentication.Stores.InMemory.InMemoryApiKeyStore(new Veza.Authentication.Stores.InMemory.InMemoryChangeFeed())) { HangHashUpgrades = true };
        await hanging.CreateAsync(record, null, CancellationToken.None);
        await using var upgraded = await VezaTestHost.StartAsync(
            services => services.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(hanging)),
            o =>
            {
                o.Argon2id.Iterations = 2;
                o.Stores.Timeout = TimeSpan.FromSeconds(30);
            });

        var response = await upgraded.GetAsync("/api/me", key).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private static async Task<HttpStatusCode> StatusOfAsyncOn(VezaTestHost host, string key)
        => (await host.GetAsync("/api/me", key)).StatusCode;
}
