using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Veza.Authentication.EntityFrameworkCore.Model;

namespace Veza.Authentication.EntityFrameworkCore;

/// <summary>
/// The package's own context: every Veza table, and the Data Protection key ring that protects the signing keys at
/// rest, so that a restart and every instance on the same database can read them. Use the SQLite or the PostgreSQL
/// context (each ships its migrations); a host that keeps Veza's tables in its own context calls
/// <see cref="VezaModelBuilderExtensions.AddVezaAuthentication"/> instead.
/// </summary>
public abstract class VezaDbContext : DbContext, IDataProtectionKeyContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="options">The options.</param>
    protected VezaDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The Data Protection key ring.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.AddVezaAuthentication(Database);
        modelBuilder.Entity<DataProtectionKey>(e =>
        {
            e.ToTable("veza_data_protection_keys");
            foreach (var property in e.Metadata.GetDeclaredProperties())
            {
                property.SetColumnName(VezaModel.SnakeCase(property.Name));
            }
        });
    }
}

/// <summary>Veza's tables on SQLite: the embedded default, one file, no server.</summary>
/// <param name="options">The options.</param>
public sealed class VezaSqliteDbContext(DbContextOptions<VezaSqliteDbContext> options) : VezaDbContext(options);

/// <summary>Veza's tables on PostgreSQL: for production, and for several instances on one database.</summary>
/// <param name="options">The options.</param>
public sealed class VezaPostgreSqlDbContext(DbContextOptions<VezaPostgreSqlDbContext> options) : VezaDbContext(options);

// Used by `dotnet ef migrations add` to build each context's model; never at run time.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<VezaSqliteDbContext>
{
    public VezaSqliteDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<VezaSqliteDbContext>().UseSqlite("Data Source=veza-design.db").Options);
}

internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<VezaPostgreSqlDbContext>
{
    public VezaPostgreSqlDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<VezaPostgreSqlDbContext>().UseNpgsql("Host=localhost;Database=veza_design").Options);
}
