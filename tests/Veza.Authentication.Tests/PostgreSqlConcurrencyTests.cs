using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// The races an attacker would try, through the whole library on a real PostgreSQL database: the database, not
/// memory, decides each one.
/// </summary>
[TestFixture]
public sealed class PostgreSqlConcurrencyTests
{
    private PostgreSqlTestDatabase _database = null!;
    private VezaTestHost _host = null!;
    private CountingHasher _hasher = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await PostgreSqlTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    [SetUp]
    public async Task StartAsync()
    {
        await _database.ResetAsync();
        _host = await VezaTestHost.StartAsync(services =>
        {
            new VezaAuthenticationBuilder(services).AddEntityFrameworkCoreStores(o => o.UsePostgreSql(_database.ConnectionString));
            CountingHasher.Register(services);
        }, o => o.ApiKeys.MaxPersonalKeysPerUserAndTeam = 5);
        _hasher = (CountingHasher)_host.Services.GetRequiredService<Secrets.ISecretHasher>();
        await _host.SwitchOAuth2Async(true);
        Assert.That(_host.Services.GetRequiredService<IApiKeyStore>().GetType().Name, Does.StartWith("EfApiKeyStore"), "the stores are the database's");
    }

    [TearDown]
    public async Task StopAsync()
    {
        _hasher?.Release();
        await _host.DisposeAsync();
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response) => (await ErrorAssertions.OAuthErrorOf(response)).Error;

    [Test]
    public async Task Of_fifty_parallel_redemptions_of_one_code_one_wins_and_the_replays_revoke_its_tokens()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var code = await flow.AuthorizeAsync(app.Id);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => flow.RedeemAsync(app, code))));
        var winner = responses.Single(r => r.StatusCode == HttpStatusCode.OK);
        var (token, refresh, _) = await AppFlow.ReadTokensAsync(winner);

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest), Is.EqualTo(49));
        Assert.That(await Eventually.StatusAsync(() => _host.GetAsync("/api/me", token), HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized),
            "the winner's access token");
        Assert.That(await ErrorOf(await flow.RefreshAsync(app, refresh!)), Is.EqualTo("invalid_grant"), "and its refresh token");
    }

    [Test]
    public async Task Of_twenty_parallel_refreshes_of_one_token_one_wins_and_the_family_is_revoked()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (_, refresh, _) = await flow.SignInAsync(app);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => flow.RefreshAsync(app, refresh!))));
        var winner = responses.Single(r => r.StatusCode == HttpStatusCode.OK);
        var (token, newest, _) = await AppFlow.ReadTokensAsync(winner);

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest), Is.EqualTo(19));
        Assert.That(await ErrorOf(await flow.RefreshAsync(app, newest!)), Is.EqualTo("invalid_grant"), "the newest refresh token of the family");
        Assert.That(await Eventually.StatusAsync(() => _host.GetAsync("/api/me", token), HttpStatusCode.Unauthorized), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Thirty_parallel_creations_at_a_quota_of_five_store_five()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(async () => (await _host.Keys.CreateAsync(
            new ApiKeyDraft { Kind = ApiKeyKind.Personal, Name = $"parallel-{i}", TeamId = TeamA, OwnerUserId = ViewerA },
            VezaCaller.Host, CancellationToken.None)).Result)));
        var stored = await _host.Services.GetRequiredService<IApiKeyStore>().ListAsync(new ApiKeyQuery { OwnerUserId = ViewerA }, CancellationToken.None);

        Assert.That(results.Count(r => r == ApiKeyResult.Success), Is.EqualTo(5));
        Assert.That(results.Count(r => r == ApiKeyResult.QuotaExceeded), Is.EqualTo(25));
        Assert.That(stored.Items, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task Parallel_first_uses_of_a_new_key_share_one_Argon2id_check()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        _hasher.Hold();

        var pending = Enumerable.Range(0, 16).Select(_ => _host.GetAsync("/api/me", key)).ToArray();
        await _hasher.Started.Task;
        _hasher.Release();
        var responses = await Task.WhenAll(pending);

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(_hasher.Verifications, Is.EqualTo(1));
    }
}
