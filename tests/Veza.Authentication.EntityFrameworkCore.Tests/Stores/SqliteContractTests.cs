using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Stores;
using Veza.Authentication.Testing;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Stores;

// The Entity Framework Core stores on SQLite run the contract kit every store must pass, each test on a fresh file
// made by the shipped migrations.

[TestFixture]
public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContract
{
    private SqliteTestDatabase _database = null!;

    protected override async Task<IApiKeyStore> CreateStoreAsync() => EfStoreSets.Create((_database = await SqliteTestDatabase.CreateAsync()).Factory).ApiKeys;

    protected override Task DisposeStoreAsync() => _database.DisposeAsync().AsTask();
}

[TestFixture]
public sealed class SqliteOAuthClientStoreTests : OAuthClientStoreContract
{
    private SqliteTestDatabase _database = null!;

    protected override async Task<IOAuthClientStore> CreateStoreAsync() => EfStoreSets.Create((_database = await SqliteTestDatabase.CreateAsync()).Factory).Clients;

    protected override Task DisposeStoreAsync() => _database.DisposeAsync().AsTask();
}

[TestFixture]
public sealed class SqliteOAuthServerStoresTests : OAuthServerStoresContract
{
    private readonly List<SqliteTestDatabase> _databases = [];

    protected override async Task<(ISigningKeyStore Keys, ITokenRevocationStore Revocations, IVezaSettingsStore Settings)> CreateStoresAsync()
    {
        var database = await SqliteTestDatabase.CreateAsync();
        _databases.Add(database);
        var stores = EfStoreSets.Create(database.Factory);
        return (stores.SigningKeys, stores.Revocations, stores.Settings);
    }

    protected override async Task DisposeStoresAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        _databases.Clear();
    }
}

[TestFixture]
public sealed class SqliteOAuthGrantStoresTests : OAuthGrantStoresContract
{
    private SqliteTestDatabase _database = null!;

    protected override async Task<(IOAuthGrantStore Grants, IOAuthConsentStore Consents)> CreateStoresAsync()
    {
        _database = await SqliteTestDatabase.CreateAsync();
        return (EfStoreSets.Create(_database.Factory).Grants, EfStoreSets.Consents(_database.Factory));
    }

    protected override Task DisposeStoresAsync() => _database.DisposeAsync().AsTask();
}

[TestFixture]
public sealed class SqliteChangeFeedTests : VezaChangeFeedContract
{
    private SqliteTestDatabase _database = null!;

    protected override async Task<VezaStoreSet> CreateStoresAsync() => EfStoreSets.Create((_database = await SqliteTestDatabase.CreateAsync()).Factory);

    protected override Task DisposeStoresAsync() => _database.DisposeAsync().AsTask();
}
