using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using Veza.Authentication.EntityFrameworkCore.Model;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A database of its own on the PostgreSQL server named by <c>VEZA_TEST_POSTGRES</c> (a connection string with the right
/// to create databases; <c>./test.sh</c> starts a throwaway server and sets it). Without it the test is skipped, with
/// the reason, unless <c>VEZA_REQUIRE_POSTGRES=1</c> says it must run: then it fails.
/// </summary>
internal sealed class PostgreSqlTestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "VEZA_TEST_POSTGRES";

    private readonly string _name;
    private readonly string _server;

    private PostgreSqlTestDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        Options = new DbContextOptionsBuilder<VezaPostgreSqlDbContext>().UseNpgsql(ConnectionString).Options;
        Factory = new PooledDbContextFactory<VezaPostgreSqlDbContext>(Options);
    }

    public string ConnectionString { get; }

    public DbContextOptions<VezaPostgreSqlDbContext> Options { get; }

    public IDbContextFactory<VezaPostgreSqlDbContext> Factory { get; }

    /// <summary>The server's connection string, or skips (or fails) the test when there is none.</summary>
    public static string RequireServer()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(server))
        {
            return server;
        }

        const string reason = "PostgreSQL tests need a server: set " + ServerVariable + " to a connection string (./test.sh starts a throwaway one).";
        if (Environment.GetEnvironmentVariable("VEZA_REQUIRE_POSTGRES") == "1")
        {
            Assert.Fail(reason);
        }

        Assert.Ignore(reason);
        return null!;
    }

    /// <summary>Creates an empty database and, unless told not to, applies the shipped migrations.</summary>
    public static async Task<PostgreSqlTestDatabase> CreateAsync(bool migrate = true)
    {
        var server = RequireServer();
        var database = new PostgreSqlTestDatabase(server, $"veza_test_{Guid.NewGuid():N}");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database._name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        if (migrate)
        {
            await using var db = await database.Factory.CreateDbContextAsync();
            await db.Database.MigrateAsync();
        }

        return database;
    }

    /// <summary>Empties every Veza table and puts back the rows the migrations seed.</summary>
    public async Task ResetAsync()
    {
        await using var db = await Factory.CreateDbContextAsync();
        var tables = db.Model.GetEntityTypes().Select(e => $"\"{e.GetTableName()}\"").Distinct();
        // Table names come from the model, not from input.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync($"TRUNCATE {string.Join(", ", tables)}");
#pragma warning restore EF1002
        db.Add(new SettingsRow { Id = 1 });
        db.Add(new ChangeFeedStateRow { Id = 1 });
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
