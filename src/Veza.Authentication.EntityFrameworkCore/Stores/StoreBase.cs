using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>
/// What every store shares: a context per operation from the factory (a context is never shared between calls), a
/// write transaction that takes its locks up front, and the change feed entry written inside it.
/// </summary>
internal abstract class StoreBase<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time) where TContext : DbContext
{
    private SqlDialect? _dialect;

    protected TimeProvider Time { get; } = time;

    protected async Task<TContext> OpenAsync(CancellationToken cancellationToken)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        return db;
    }

    protected SqlDialect Dialect(TContext db) => _dialect ??= SqlDialect.Of(db.Database);

    protected Task<IDbContextTransaction> BeginWriteAsync(TContext db, CancellationToken cancellationToken)
        => Dialect(db).BeginWriteAsync(db, cancellationToken);

    protected Task LockScopeAsync(TContext db, string scope, CancellationToken cancellationToken)
        => Dialect(db).LockScopeAsync(db, scope, cancellationToken);

    /// <summary>Appends one feed entry per id inside the caller's transaction. The sequence comes from the one state
    /// row, whose write lock is held until the transaction commits: no other change can take a later number and
    /// commit first, so sequence order is commit order.</summary>
    protected async Task AppendChangesAsync(TContext db, VezaChangeKind kind, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var count = ids.Count;
        var state = db.Set<ChangeFeedStateRow>();
        await state.Where(s => s.Id == 1)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSequence, s => s.LastSequence + count), cancellationToken)
            .ConfigureAwait(false);
        var last = await state.Where(s => s.Id == 1).Select(s => s.LastSequence).SingleAsync(cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        var first = last - count + 1;
        db.Set<ChangeRow>().AddRange(ids.Select((id, i) => new ChangeRow { Sequence = first + i, Kind = (int)kind, ItemId = id, RecordedAt = now }));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        if (Dialect(db) == SqlDialect.PostgreSql)
        {
            // Delivered to every listening instance when the transaction commits, never before; nothing if it rolls back.
            var channel = ChangeChannel(db);
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({channel}, '')", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The name of the notification channel of the feed's table (its schema-qualified name).</summary>
    internal static string ChangeChannel(DbContext db)
    {
        var changes = db.Model.FindEntityType(typeof(ChangeRow))!;
        return changes.GetSchema() is { } schema ? $"{schema}.{changes.GetTableName()}" : changes.GetTableName()!;
    }

    protected Task AppendChangeAsync(TContext db, VezaChangeKind kind, string id, CancellationToken cancellationToken)
        => AppendChangesAsync(db, kind, [id], cancellationToken);

    /// <summary>Saves added rows; a clash with a key or unique index returns <see langword="false"/> instead of
    /// throwing (the transaction, if any, is then unusable and is rolled back by its disposal).</summary>
    protected static async Task<bool> TrySaveAsync(TContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            return true;
        }
        catch (DbUpdateException ex) when (SqlDialect.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>The clash with a unique index of a statement run outside SaveChanges (ExecuteUpdate).</summary>
    protected static bool IsUniqueViolation(Exception ex) => SqlDialect.IsUniqueViolation(ex);

    /// <summary>Deletes, a batch at a time, the rows whose keys <paramref name="next"/> selects (at most a batch of
    /// them, all already past their end), until none are left.</summary>
    protected static async Task<int> PruneInBatchesAsync<TRow>(Func<IQueryable<string>> next, Func<List<string>, IQueryable<TRow>> rows,
        int batch, CancellationToken cancellationToken) where TRow : class
    {
        var removed = 0;
        while (true)
        {
            var keys = await next().ToListAsync(cancellationToken).ConfigureAwait(false);
            if (keys.Count == 0)
            {
                return removed;
            }

            removed += await rows(keys).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            if (keys.Count < batch)
            {
                return removed;
            }
        }
    }

    protected static string NameKey(string name) => name.ToUpperInvariant();

    /// <summary>The text a name filter looks for in the stored name key (folded the same way), or
    /// <see langword="null"/> when it does not filter. The stores compare it with <see cref="string.Contains(string)"/>
    /// on a parameter, which the providers translate with every character literal: <c>instr</c> on SQLite, and on
    /// PostgreSQL a <c>LIKE</c> whose parameter has its <c>%</c>, <c>_</c> and <c>\</c> escaped.</summary>
    protected static string? NameFilter(string? contains) => string.IsNullOrEmpty(contains) ? null : NameKey(contains);
}
