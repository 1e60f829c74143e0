using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Stores;
using Veza.Authentication.Testing;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Stores;

// Names are unique per team ignoring case by the same rule on both databases, beyond ASCII too (SQLite's NOCASE
// folds ASCII only, and PostgreSQL's rule would depend on the database's collation): the stores compare a normalised
// column.
public abstract class NameRuleTests
{
    private static ApiKeyRecord TeamKey(string id, string name) => new()
    {
        Id = id,
        Kind = ApiKeyKind.Team,
        Name = name,
        TeamId = "t1",
        CreatedByUserId = "admin",
        SecretHash = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        CreatedAt = DateTimeOffset.UnixEpoch,
        LastAccessAt = DateTimeOffset.UnixEpoch,
    };

    private static OAuthClientRecord Client(string id, string name) => new()
    {
        Id = id,
        Name = name,
        TeamId = "t1",
        Role = "operator",
        AllowedScopes = ["graph:read"],
        AccessTokenLifetime = TimeSpan.FromMinutes(5),
        Secrets = [],
        CreatedBy = "admin",
    };

    protected abstract Task<VezaStoreSet> CreateStoresAsync();

    [Test]
    public async Task Key_names_that_differ_only_in_the_case_of_accented_letters_clash()
    {
        var stores = await CreateStoresAsync();

        Assert.That(await stores.ApiKeys.CreateAsync(TeamKey("k1", "Équipe Données"), null, default), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That(await stores.ApiKeys.CreateAsync(TeamKey("k2", "équipe données"), null, default), Is.EqualTo(ApiKeyStoreResult.DuplicateName));
        Assert.That(await stores.ApiKeys.CreateAsync(TeamKey("k3", "Equipe Donnees"), null, default), Is.EqualTo(ApiKeyStoreResult.Success));
        Assert.That(await stores.ApiKeys.RenameAsync("k3", "ÉQUIPE DONNÉES", default), Is.EqualTo(ApiKeyStoreResult.DuplicateName));
    }

    [Test]
    public async Task Client_names_that_differ_only_in_the_case_of_accented_letters_clash()
    {
        var stores = await CreateStoresAsync();

        Assert.That(await stores.Clients.CreateAsync(Client("c1", "Größe"), 10, default), Is.EqualTo(OAuthStoreResult.Success));
        Assert.That(await stores.Clients.CreateAsync(Client("c2", "GRÖSSE"), 10, default), Is.EqualTo(OAuthStoreResult.Success), "no full case folding: ß is not SS, as in memory");
        Assert.That(await stores.Clients.CreateAsync(Client("c3", "größe"), 10, default), Is.EqualTo(OAuthStoreResult.DuplicateName));
        Assert.That(await stores.Clients.RenameAsync("c2", "GRÖßE", default), Is.EqualTo(OAuthStoreResult.DuplicateName));
    }
}

[TestFixture]
public sealed class SqliteNameRuleTests : NameRuleTests
{
    private SqliteTestDatabase? _database;

    protected override async Task<VezaStoreSet> CreateStoresAsync() => EfStoreSets.Create((_database = await SqliteTestDatabase.CreateAsync()).Factory);

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
public sealed class PostgreSqlNameRuleTests : NameRuleTests
{
    private PostgreSqlTestDatabase? _database;

    protected override async Task<VezaStoreSet> CreateStoresAsync() => EfStoreSets.Create((_database = await PostgreSqlTestDatabase.CreateAsync()).Factory);

    [TearDown]
    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
