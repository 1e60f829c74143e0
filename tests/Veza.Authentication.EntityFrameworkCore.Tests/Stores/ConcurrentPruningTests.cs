using Microsoft.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Stores;
using Veza.Authentication.Testing;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Stores;

// Every instance prunes on its own timer, so they prune at once: two store sets over one database prune everything
// together, in batches, while nothing that is still valid may go.
public abstract class ConcurrentPruningTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private const int Expired = 30;
    private const int Valid = 12;

    protected abstract Task<(VezaStoreSet First, VezaStoreSet Second)> CreateAsync();

    private static AuthorizationCodeRecord Code(string hash, string grant, string user, DateTimeOffset expires) => new()
    {
        Hash = hash,
        GrantId = grant,
        AppId = "app",
        RedirectUri = "https://app.example.com/cb",
        CodeChallenge = new string('c', 43),
        UserId = user,
        TeamId = "t1",
        Scopes = ["graph:read"],
        ExpiresAt = expires,
    };

    private static async Task FillAsync(VezaStoreSet stores)
    {
        for (var i = 0; i < Expired + Valid; i++)
        {
            var valid = i >= Expired;
            var end = valid ? Now.AddDays(1) : Now.AddSeconds(-1);
            // A grant per user (its code redeemed at once), with a refresh token; and a pending code of its own.
            Assert.That(await stores.Grants.AddCodeAsync(Code($"redeemed-{i}", $"grant-{i}", $"u{i}", Now.AddMinutes(1)), 10, Now.AddSeconds(-5), default),
                Is.EqualTo(OAuthStoreResult.Success));
            Assert.That((await stores.Grants.RedeemCodeAsync($"redeemed-{i}", "app", Now.AddSeconds(-5), end, default)).Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
            Assert.That(await stores.Grants.AddRefreshTokenAsync(new RefreshTokenRecord { Hash = $"refresh-{i}", GrantId = $"grant-{i}", AppId = "app", CreatedAt = Now.AddSeconds(-5), ExpiresAt = end }, default),
                Is.EqualTo(OAuthStoreResult.Success));
            Assert.That(await stores.Grants.AddCodeAsync(Code($"pending-{i}", $"later-{i}", $"u{i}", end), 10, Now.AddSeconds(-5), default), Is.EqualTo(OAuthStoreResult.Success));
            await stores.Revocations.AddAsync(new RevokedTokenRecord($"jti-{i}", "client", end, Now.AddSeconds(-5)), default);
            Assert.That(await stores.SigningKeys.AddAsync(new SigningKeyRecord
            {
                Id = $"kid-{i}", Algorithm = "RS256", ProtectedPrivateKey = [1], PublishedAt = Now.AddDays(-2), SignsFrom = Now.AddDays(-2),
                SignsUntil = Now.AddDays(-1), UnpublishAt = end,
            }, default), Is.EqualTo(OAuthStoreResult.Success));
        }
    }

    [Test]
    public async Task Two_instances_pruning_at_once_remove_every_expired_row_and_nothing_valid()
    {
        var (first, second) = await CreateAsync();
        await FillAsync(first);
        var lastEntry = await first.Changes.GetLastSequenceAsync(default);

        var pruning = new[] { first, second }.SelectMany(s => new Func<Task>[]
        {
            async () => await s.Grants.PruneAsync(Now, default),
            async () => await s.Revocations.PruneAsync(Now, default),
            async () => await s.SigningKeys.PruneAsync(Now, default),
        }).Select(prune => Task.Run(prune));
        await Task.WhenAll(pruning);

        for (var i = 0; i < Expired + Valid; i++)
        {
            var valid = i >= Expired;
            Assert.That(await second.Grants.FindGrantAsync($"grant-{i}", default), valid ? Is.Not.Null : Is.Null, $"grant {i}");
            Assert.That(await second.Grants.FindRefreshTokenAsync($"refresh-{i}", default), valid ? Is.Not.Null : Is.Null, $"refresh token {i}");
            Assert.That(await second.Grants.FindCodeAsync($"pending-{i}", Now.AddSeconds(-10), default), valid ? Is.Not.Null : Is.Null, $"code {i}");
        }

        var revocations = await second.Revocations.ListAsync(DateTimeOffset.MinValue, default);
        var keys = await second.SigningKeys.ListAsync(default);
        Assert.That(revocations.Select(r => r.TokenId), Is.EquivalentTo(Enumerable.Range(Expired, Valid).Select(i => $"jti-{i}")));
        Assert.That(keys.Select(k => k.Id), Is.EquivalentTo(Enumerable.Range(Expired, Valid).Select(i => $"kid-{i}")));

        var removedKeys = (await first.Changes.ReadAsync(lastEntry, 1000, default)).Changes;
        Assert.That(removedKeys.Select(c => c.Id), Is.EquivalentTo(Enumerable.Range(0, Expired).Select(i => $"kid-{i}")),
            "each pruned signing key is announced once, by the instance that removed it");
    }

    [Test]
    public async Task Two_instances_pruning_the_feed_at_once_raise_its_pruned_mark_to_the_last_entry_removed()
    {
        var (first, second) = await CreateAsync();
        await FillAsync(first);
        var last = await first.Changes.GetLastSequenceAsync(default);

        var removed = await Task.WhenAll(Task.Run(async () => await first.Changes.PruneAsync(DateTimeOffset.MaxValue, default)),
            Task.Run(async () => await second.Changes.PruneAsync(DateTimeOffset.MaxValue, default)));
        var page = await second.Changes.ReadAsync(0, 1000, default);

        Assert.That(removed.Sum(), Is.EqualTo(last), "every entry removed exactly once");
        Assert.That(page.Changes, Is.Empty);
        Assert.That(page.PrunedThrough, Is.EqualTo(last));
    }
}

[TestFixture]
public sealed class SqliteConcurrentPruningTests : ConcurrentPruningTests
{
    private SqliteTestDatabase? _database;

    protected override async Task<(VezaStoreSet First, VezaStoreSet Second)> CreateAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        var other = new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<VezaSqliteDbContext>(_database.Options);
        return (EfStoreSets.Create(_database.Factory), EfStoreSets.Create(other));
    }

    [TearDown]
    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

[TestFixture]
public sealed class PostgreSqlConcurrentPruningTests : ConcurrentPruningTests
{
    private PostgreSqlTestDatabase? _database;

    protected override async Task<(VezaStoreSet First, VezaStoreSet Second)> CreateAsync()
    {
        _database = await PostgreSqlTestDatabase.CreateAsync();
        var other = new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<VezaPostgreSqlDbContext>(_database.Options);
        return (EfStoreSets.Create(_database.Factory), EfStoreSets.Create(other));
    }

    [TearDown]
    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
