using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;
using Veza.Authentication.Stores;
using Veza.Authentication.Testing;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Stores;

/// <summary>A host's own context that holds its tables and Veza's, the latter in a schema and with a prefix of the
/// host's choosing. (The host's migrations would create the tables; the test creates them from the model.)</summary>
public sealed class HostDbContext(DbContextOptions<HostDbContext> options) : DbContext(options)
{
    public DbSet<HostOrder> Orders => Set<HostOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<HostOrder>().ToTable("orders");
        modelBuilder.AddVezaAuthentication(Database, o =>
        {
            o.Schema = "auth";
            o.TablePrefix = "idp_";
        });
    }
}

/// <summary>A table of the host's own.</summary>
public sealed class HostOrder
{
    public int Id { get; set; }

    public string Item { get; set; } = "";
}

[TestFixture]
public sealed class PostgreSqlHostContextTests : VezaChangeFeedContract
{
    private PostgreSqlTestDatabase _database = null!;
    private PooledDbContextFactory<HostDbContext> _contexts = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        _database = await PostgreSqlTestDatabase.CreateAsync(migrate: false);
        _contexts = new PooledDbContextFactory<HostDbContext>(new DbContextOptionsBuilder<HostDbContext>().UseNpgsql(_database.ConnectionString).Options);
    }

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    protected override async Task<VezaStoreSet> CreateStoresAsync()
    {
        await using (var db = await _contexts.CreateDbContextAsync())
        {
            await db.Database.EnsureDeletedAsync();
            await db.Database.EnsureCreatedAsync();
        }

        return EfStoreSets.Create(_contexts);
    }

    [Test]
    public async Task The_tables_are_in_the_hosts_schema_with_its_prefix_beside_the_hosts_own()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('auth', 'public') ORDER BY 1", connection);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.That(tables, Does.Contain("public.orders"));
        Assert.That(tables, Does.Contain("auth.idp_api_keys").And.Contain("auth.idp_changes").And.Contain("auth.idp_oauth_grants"));
        Assert.That(tables.Where(t => t.StartsWith("auth.", StringComparison.Ordinal)), Is.All.StartWith("auth.idp_"));
    }
}
