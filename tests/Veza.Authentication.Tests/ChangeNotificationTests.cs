using System.Net;
using Veza.Authentication.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Hosting;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// Two instances on one PostgreSQL database, polling the feed only once a minute: a revoke through one reaches
/// the other by PostgreSQL's notification, long before the next poll; with notifications turned off it waits for
/// the poll.
/// </summary>
[TestFixture]
public sealed class ChangeNotificationTests
{
    private PostgreSqlTestDatabase _database = null!;
    private readonly List<VezaTestHost> _hosts = [];

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await PostgreSqlTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    [SetUp]
    public Task ResetAsync() => _database.ResetAsync();

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    private async Task<VezaTestHost> StartAsync(bool listen)
    {
        var host = await VezaTestHost.StartAsync(
            services => new VezaAuthenticationBuilder(services).AddEntityFrameworkCoreStores(o =>
            {
                o.UsePostgreSql(_database.ConnectionString);
                o.ListenForChanges = listen;
            }),
            o =>
            {
                o.Stores.ChangePollInterval = TimeSpan.FromMinutes(1);
                o.Stores.MaxChangeLag = TimeSpan.FromMinutes(2);
            });
        _hosts.Add(host);
        return host;
    }

    [Test]
    public async Task A_revoke_through_one_instance_is_refused_by_the_other_long_before_its_next_poll()
    {
        var first = await StartAsync(listen: true);
        var second = await StartAsync(listen: true);
        var (id, key) = await first.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await second.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "proven, and remembered, on the second");

        var revoked = await first.SendAsync(HttpMethod.Post, $"/api/preview/keys/{id}:revoke", key);

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Eventually.StatusAsync(() => second.GetAsync("/api/me", key), HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Without_notifications_the_other_instance_keeps_what_it_remembers_until_its_poll()
    {
        var first = await StartAsync(listen: false);
        var second = await StartAsync(listen: false);
        var (id, key) = await first.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await second.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await first.SendAsync(HttpMethod.Post, $"/api/preview/keys/{id}:revoke", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.That((await second.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK),
            "the poll is a minute away: this is what the notification saves (within the cache's own bound)");
    }
}
