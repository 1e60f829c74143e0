using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Veza.Authentication.EntityFrameworkCore;

/// <summary>How the Entity Framework Core stores reach their database and look after it.</summary>
public sealed class VezaEntityFrameworkCoreOptions
{
    internal Type? ContextType { get; private set; }

    internal Action<DbContextOptionsBuilder>? ConfigureContext { get; private set; }

    /// <summary>
    /// Applies the context's migrations when the host starts, before anything reads a store. Off by default: a
    /// production database is usually migrated by a script (<c>dotnet ef migrations script</c>) before the new version
    /// starts. With several instances, PostgreSQL serialises their migrations with a lock, so turning it on is safe.
    /// </summary>
    public bool MigrateAtStartup { get; set; }

    /// <summary>Keeps the Data Protection key ring in the database (the package's own contexts only), so that the signing
    /// keys it protects can be read after a restart and by every instance. On by default.</summary>
    public bool PersistDataProtectionKeys { get; set; } = true;

    /// <summary>On PostgreSQL, listens for the notification each change sends when it commits (<c>LISTEN/NOTIFY</c>), so
    /// that it reaches this instance in milliseconds rather than at the next poll. On by default; turn it off behind a
    /// pooler in transaction mode (PgBouncer), which passes no notifications on; polling still finds every change.</summary>
    public bool ListenForChanges { get; set; } = true;

    /// <summary>The most rows one pruning statement deletes (expired codes, refresh tokens, grants, revocations and
    /// feed entries): pruning never holds locks on more. 1000 by default.</summary>
    public int PruneBatchSize { get; set; } = 1000;

    /// <summary>Keeps everything in SQLite (<see cref="VezaSqliteDbContext"/>), for example
    /// <c>Data Source=veza.db</c>: one file, nothing to install.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="sqlite">Further SQLite settings.</param>
    /// <returns>These options.</returns>
    public VezaEntityFrameworkCoreOptions UseSqlite(string connectionString, Action<Microsoft.EntityFrameworkCore.Infrastructure.SqliteDbContextOptionsBuilder>? sqlite = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ContextType = typeof(VezaSqliteDbContext);
        ConfigureContext = o => o.UseSqlite(connectionString, sqlite);
        return this;
    }

    /// <summary>Keeps everything in PostgreSQL (<see cref="VezaPostgreSqlDbContext"/>): for production and for
    /// several instances on one database.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="npgsql">Further Npgsql settings.</param>
    /// <returns>These options.</returns>
    public VezaEntityFrameworkCoreOptions UsePostgreSql(string connectionString, Action<Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder>? npgsql = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ContextType = typeof(VezaPostgreSqlDbContext);
        ConfigureContext = o => o.UseNpgsql(connectionString, npgsql);
        return this;
    }
}
