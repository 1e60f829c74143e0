using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>The change feed in a database: the stores append to it inside their own transactions. On PostgreSQL it
/// also wakes its readers when a change commits (<c>LISTEN/NOTIFY</c>).</summary>
internal sealed class EfChangeFeed<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time, EfStoreSettings settings, ILogger<EfChangeFeed<TContext>> logger)
    : StoreBase<TContext>(contexts, time), IVezaChangeFeed, IVezaChangeNotifications, IAsyncDisposable where TContext : DbContext
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private PostgreSqlChangeListener? _listener;
    private bool _started;

    public async Task WaitForChangesAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            await StartListeningAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_listener is null)
        {
            // No notifications here (SQLite, or turned off): the readers' polls find every change.
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        await _listener!.WaitForChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is { } listener)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        _starting.Dispose();
    }

    private async Task StartListeningAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                return;
            }

            await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (settings.ListenForChanges && Dialect(db) == SqlDialect.PostgreSql && db.Database.GetConnectionString() is { } connectionString)
            {
                _listener = new PostgreSqlChangeListener(connectionString, ChangeChannel(db), logger);
            }

            _started = true;
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<ChangeFeedStateRow>().Where(s => s.Id == 1).Select(s => s.LastSequence).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<VezaChangePage> ReadAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for both reads, so PrunedThrough is never newer than the entries read with it.
        await using var transaction = await Dialect(db).BeginSnapshotAsync(db, cancellationToken).ConfigureAwait(false);
        var prunedThrough = await db.Set<ChangeFeedStateRow>().Where(s => s.Id == 1).Select(s => s.PrunedThrough)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<ChangeRow>().Where(c => c.Sequence > afterSequence).OrderBy(c => c.Sequence).Take(maxCount)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new VezaChangePage([.. rows.Select(r => new VezaChange(r.Sequence, (VezaChangeKind)r.Kind, r.ItemId, r.RecordedAt))], prunedThrough);
    }

    public async ValueTask<int> PruneAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var batch = settings.PruneBatchSize;
        var removed = 0;
        while (true)
        {
            await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
            var sequences = await db.Set<ChangeRow>().Where(c => c.RecordedAt < recordedBefore).OrderBy(c => c.Sequence).Take(batch)
                .Select(c => c.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (sequences.Count == 0)
            {
                return removed;
            }

            var highest = sequences[^1];
            removed += await db.Set<ChangeRow>().Where(c => sequences.Contains(c.Sequence)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            // Raised, never lowered, in the same transaction as the delete: a reader never sees entries missing
            // without being told.
            await db.Set<ChangeFeedStateRow>().Where(s => s.Id == 1 && s.PrunedThrough < highest)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.PrunedThrough, highest), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (sequences.Count < batch)
            {
                return removed;
            }
        }
    }
}
