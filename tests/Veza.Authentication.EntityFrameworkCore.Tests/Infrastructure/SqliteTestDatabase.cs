using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A fresh SQLite file per test: a copy of one file migrated once per run (so each test starts from the
/// shipped migrations, not from EnsureCreated).</summary>
internal sealed class SqliteTestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);

    private SqliteTestDatabase(string path)
    {
        Path = path;
        Options = new DbContextOptionsBuilder<VezaSqliteDbContext>().UseSqlite($"Data Source={path};Pooling=True").Options;
        Factory = new PooledDbContextFactory<VezaSqliteDbContext>(Options);
    }

    public string Path { get; }

    public DbContextOptions<VezaSqliteDbContext> Options { get; }

    public IDbContextFactory<VezaSqliteDbContext> Factory { get; }

    public static async Task<SqliteTestDatabase> CreateAsync()
    {
        var template = await Template.Value;
        var path = NewPath();
        File.Copy(template, path);
        return new SqliteTestDatabase(path);
    }

    /// <summary>An empty file, not migrated.</summary>
    public static SqliteTestDatabase CreateEmpty() => new(NewPath());

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            File.Delete(file);
        }

        return ValueTask.CompletedTask;
    }

    private static string NewPath() => System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"veza-test-{Guid.NewGuid():N}.db");

    private static async Task<string> CreateTemplateAsync()
    {
        var path = NewPath();
        var options = new DbContextOptionsBuilder<VezaSqliteDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options;
        await using (var db = new VezaSqliteDbContext(options))
        {
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
