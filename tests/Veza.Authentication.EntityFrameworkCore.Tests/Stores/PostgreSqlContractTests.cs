using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Stores;
using Veza.Authentication.Testing;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Stores;

// The Entity Framework Core stores on a real PostgreSQL server run the contract kit: one database per fixture, made
// by the shipped migrations and emptied before each test. Skipped, with the reason, when no server is configured.

[TestFixture]
public sealed class PostgreSqlApiKeyStoreTests : ApiKeyStoreContract
{
    private PostgreSqlTestDatabase _database = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await PostgreSqlTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    protected override async Task<IApiKeyStore> CreateStoreAsync()
    {
        await _database.ResetAsync();
        return EfStoreSets.Create(_database.Factory).ApiKeys;
    }
}

[TestFixture]
public sealed class PostgreSqlOAuthClientStoreTests : OAuthClientStoreContract
{
    private PostgreSqlTestDatabase _database = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await PostgreSqlTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    protected override async Task<IOAuthClientStore> CreateStoreAsync()
    {
        await _database.ResetAsync();
        return EfStoreSets.Create(_database.Factory).Clients;
    }
}

[TestFixture]
public sealed class PostgreSqlOAuthServerStoresTests : OAuthServerStoresContract
{
    private PostgreSqlTestDatabase _database = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await PostgreSqlTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    protected override async Task<(ISigningKeyStore Keys, ITokenRevocationStore Revocations, IVezaSettingsStore Settings)> CreateStoresAsync()
    {
        await _database.ResetAsync();
        var stores = EfStoreSets.Create(_database.Factory);
        return (stores.SigningKeys, stores.Revocations, stores.Settings);
    }
}

[TestFixture]
public sealed class PostgreSqlOAuthGrantStoresTests : OAuthGrantStoresContract
{
    private PostgreSqlTestDatabase _database = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await PostgreSqlTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    protected override async Task<(IOAuthGrantStore Grants, IOAuthConsentStore Consents)> CreateStoresAsync()
    {
        await _database.ResetAsync();
        return (EfStoreSets.Create(_database.Factory).Grants, EfStoreSets.Consents(_database.Factory));
    }
}

[TestFixture]
public sealed class PostgreSqlChangeFeedTests : VezaChangeFeedContract
{
    private PostgreSqlTestDatabase _database = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await PostgreSqlTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    protected override async Task<VezaStoreSet> CreateStoresAsync()
    {
        await _database.ResetAsync();
        return EfStoreSets.Create(_database.Factory);
    }
}
