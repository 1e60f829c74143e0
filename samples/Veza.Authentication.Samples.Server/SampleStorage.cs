using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Veza.Authentication.EntityFrameworkCore;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Samples.Server;

/// <summary>
/// Where the sample keeps keys, clients, apps, consents, grants and signing keys, chosen by configuration:
/// <list type="bullet">
/// <item>SQLite in a file (the default: <c>ConnectionStrings:VezaSqlite</c>, <c>veza-sample.db</c> beside the sample), so that
/// everything survives a restart and nothing needs installing;</item>
/// <item>PostgreSQL when <c>ConnectionStrings:VezaPostgreSql</c> is set, for several instances on one database;</item>
/// <item>memory when <c>Veza:Storage</c> is <c>InMemory</c> (lost when the process ends).</item>
/// </list>
/// <c>Veza:Storage</c> (<c>Sqlite</c>, <c>PostgreSql</c> or <c>InMemory</c>) chooses explicitly; on PostgreSQL,
/// <c>Veza:ListenForChanges=false</c> leaves changes to the feed's poll alone (as behind PgBouncer).
/// </summary>
internal static class SampleStorage
{
    public static VezaAuthenticationBuilder AddSampleStorage(this VezaAuthenticationBuilder builder, IConfiguration configuration, IHostEnvironment environment)
    {
        var postgres = configuration.GetConnectionString("VezaPostgreSql");
        var storage = configuration["Veza:Storage"] ?? (string.IsNullOrWhiteSpace(postgres) ? "Sqlite" : "PostgreSql");
        // Every instance on one database reads the others' Data Protection keys only under one application name.
        builder.Services.AddDataProtection().SetApplicationName("Veza.Authentication.Samples.Server");
        switch (storage.ToUpperInvariant())
        {
            case "INMEMORY":
                return builder.AddInMemoryStores();
            case "POSTGRESQL":
                if (string.IsNullOrWhiteSpace(postgres))
                {
                    throw new InvalidOperationException("Veza:Storage is PostgreSql: set ConnectionStrings:VezaPostgreSql.");
                }

                return builder.AddEntityFrameworkCoreStores(o =>
                {
                    o.UsePostgreSql(postgres);
                    o.MigrateAtStartup = true;
                    o.ListenForChanges = configuration.GetValue("Veza:ListenForChanges", true);
                }).AddInMemoryUserDirectory();
            case "SQLITE":
                var sqlite = new SqliteConnectionStringBuilder(configuration.GetConnectionString("VezaSqlite") ?? "Data Source=veza-sample.db");
                if (sqlite.DataSource != ":memory:" && !Path.IsPathRooted(sqlite.DataSource))
                {
                    sqlite.DataSource = Path.Combine(environment.ContentRootPath, sqlite.DataSource);
                }

                return builder.AddEntityFrameworkCoreStores(o =>
                {
                    o.UseSqlite(sqlite.ConnectionString);
                    o.MigrateAtStartup = true;
                }).AddInMemoryUserDirectory();
            default:
                throw new InvalidOperationException($"Veza:Storage is '{storage}': use Sqlite, PostgreSql or InMemory.");
        }
    }

    // The sample's users, teams and roles come from configuration on every start (a real host has its own directory).
    private static VezaAuthenticationBuilder AddInMemoryUserDirectory(this VezaAuthenticationBuilder builder)
    {
        var directory = new InMemoryUserDirectory();
        builder.Services.AddSingleton(directory);
        return builder.AddUserDirectory(directory);
    }
}
