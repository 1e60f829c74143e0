using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Veza.Authentication.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// PostgreSQL stopped for real in the middle of a run (<c>pg_ctl stop</c>), and a database that answers too slowly:
/// the library fails closed, writes nothing by halves, and recovers by itself.
/// </summary>
[TestFixture]
public sealed class DatabaseOutageTests
{
    private OwnPostgreSqlServer? _server;
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _server = await OwnPostgreSqlServer.StartAsync();
        _host = await VezaTestHost.StartAsync(
            services => new VezaAuthenticationBuilder(services).AddEntityFrameworkCoreStores(o =>
            {
                o.UsePostgreSql(_server!.ConnectionString);
                o.MigrateAtStartup = true;
            }),
            o => o.Stores.Timeout = TimeSpan.FromSeconds(2));
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<int> StoredKeysAsync()
        => (await _host.Services.GetRequiredService<IApiKeyStore>().ListAsync(new ApiKeyQuery { TeamId = TeamA }, CancellationToken.None)).Items.Count;

    [Test]
    public async Task With_the_database_stopped_only_what_was_proven_works_writes_answer_503_and_it_recovers_without_a_restart()
    {
        var (_, proven) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (unproven, unprovenKey) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        var client = await _host.CreateClientAsync(TeamA);
        Assert.That((await _host.GetAsync("/api/me", proven)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var keysBefore = await StoredKeysAsync();

        await _server!.StopAsync();

        var provenDuring = await _host.GetAsync("/api/me", proven);
        var unprovenDuring = await _host.GetAsync("/api/me", unprovenKey);
        var tokenDuring = await _host.PostFormAsync("/oauth2/token", [new("grant_type", "client_credentials")], client);
        var createDuring = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", proven, new { name = "during-outage" });
        var revokeDuring = await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{unproven}:revoke", proven);

        Assert.That(provenDuring.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a key proven before the outage, within the cache");
        Assert.That(unprovenDuring.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a key never checked fails closed");
        Assert.That(unprovenDuring.Headers.RetryAfter, Is.Not.Null);
        Assert.That(tokenDuring.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(createDuring.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(revokeDuring.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

        await _server!.StartAgainAsync();

        Assert.That(await Eventually.StatusAsync(() => _host.GetAsync("/api/me", unprovenKey), HttpStatusCode.OK), Is.EqualTo(HttpStatusCode.OK),
            "the unproven key, once the database is back");
        Assert.That(await StoredKeysAsync(), Is.EqualTo(keysBefore), "the create during the outage left nothing behind");
        Assert.That((await _host.PostFormAsync("/oauth2/token", [new("grant_type", "client_credentials")], client)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", proven, new { name = "after-outage" })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_database_that_answers_too_slowly_gets_503_after_the_store_timeout_not_a_hung_request()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await using var connection = await _server!.ConnectAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var locking = new NpgsqlCommand("LOCK TABLE veza_api_keys IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await locking.ExecuteNonQueryAsync();
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var slow = await _host.GetAsync("/api/me", key).WaitAsync(TimeSpan.FromSeconds(30));
        var waited = started.Elapsed;
        await transaction.RollbackAsync();

        Assert.That(slow.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(waited, Is.LessThan(TimeSpan.FromSeconds(20)), "answered after the store timeout (2 s), not left hanging");
        Assert.That(await Eventually.StatusAsync(() => _host.GetAsync("/api/me", key), HttpStatusCode.OK), Is.EqualTo(HttpStatusCode.OK));
    }
}
