using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.EntityFrameworkCore.Model;

namespace Veza.Authentication.EntityFrameworkCore;

/// <summary>Before any other hosted service starts: applies the migrations when asked to, and puts a SQLite file in
/// write-ahead-log mode, so that readers never wait for the writer.</summary>
internal sealed partial class VezaDatabasePreparation<TContext>(IDbContextFactory<TContext> contexts, IOptions<VezaEntityFrameworkCoreOptions> options,
    ILogger<VezaDatabasePreparation<TContext>> logger) : IHostedLifecycleService where TContext : DbContext
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (SqlDialect.Of(db.Database) == SqlDialect.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        if (options.Value.MigrateAtStartup)
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
            if (pending.Count > 0)
            {
                LogMigrating(logger, pending.Count, pending[^1]);
                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(4001, LogLevel.Information, "Applying {Count} migration(s) to the Veza database, up to {Last}.")]
    private static partial void LogMigrating(ILogger logger, int count, string last);
}
