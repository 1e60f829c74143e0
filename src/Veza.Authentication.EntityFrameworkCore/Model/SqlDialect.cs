using System.Data;
using System.Data.Common;
using System.IO.Hashing;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;

namespace Veza.Authentication.EntityFrameworkCore.Model;

/// <summary>What differs between the two databases the stores run on: how times are kept so that SQL compares them,
/// how a transaction takes its locks, and how a unique-key clash is reported.</summary>
internal abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();
    public static readonly SqlDialect PostgreSql = new PostgreSqlDialect();

    public static SqlDialect Of(DatabaseFacade database) => database.ProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => Sqlite,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => PostgreSql,
        var other => throw new NotSupportedException(
            $"Veza's Entity Framework Core stores run on SQLite and PostgreSQL; this context uses '{other}'."),
    };

    public abstract ValueConverter TimeConverter { get; }

    /// <summary>The collation that compares and orders text by code point, as the stores' contract orders ids
    /// (ordinal); <see langword="null"/> where that is the default.</summary>
    public virtual string? OrdinalCollation => null;

    /// <summary>Starts a transaction that writes: on SQLite it takes the database's write lock at once, so the reads it
    /// makes before writing cannot be overtaken by another writer.</summary>
    public abstract Task<IDbContextTransaction> BeginWriteAsync(DbContext db, CancellationToken cancellationToken);

    /// <summary>Starts a transaction that only reads, from one snapshot.</summary>
    public abstract Task<IDbContextTransaction> BeginSnapshotAsync(DbContext db, CancellationToken cancellationToken);

    /// <summary>Serialises every transaction that names the same scope until it ends (a quota's count and insert).</summary>
    public abstract Task LockScopeAsync(DbContext db, string scope, CancellationToken cancellationToken);

    /// <summary>Whether a failed write clashed with a primary key or a unique index.</summary>
    public static bool IsUniqueViolation(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }:
                case SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 1555 or 2067 }:
                    return true;
            }
        }

        return false;
    }

    private sealed class SqliteDialect : SqlDialect
    {
        // SQLite compares text, not times: a time is kept as its UTC ticks, which order as the times do.
        public override ValueConverter TimeConverter { get; } = new ValueConverter<DateTimeOffset, long>(
            v => v.UtcTicks,
            v => new DateTimeOffset(v, TimeSpan.Zero));

        // BEGIN IMMEDIATE: the write lock is taken now, and waited for (busy timeout) rather than failed on later.
        public override Task<IDbContextTransaction> BeginWriteAsync(DbContext db, CancellationToken cancellationToken)
            => BeginAsync(db, deferred: false, cancellationToken);

        // A deferred transaction reads one snapshot (WAL) without taking the write lock.
        public override Task<IDbContextTransaction> BeginSnapshotAsync(DbContext db, CancellationToken cancellationToken)
            => BeginAsync(db, deferred: true, cancellationToken);

        private static async Task<IDbContextTransaction> BeginAsync(DbContext db, bool deferred, CancellationToken cancellationToken)
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(IsolationLevel.Serializable, deferred);
            var used = await db.Database.UseTransactionAsync(transaction, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The transaction could not be used.");
            return new OwnedTransaction(used, transaction);
        }

        // The write lock of BeginWriteAsync already serialises every writer.
        public override Task LockScopeAsync(DbContext db, string scope, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class PostgreSqlDialect : SqlDialect
    {
        public override string? OrdinalCollation => "C";

        // timestamptz keeps microseconds: a time is rounded down to them, so what is read back equals what was written.
        public override ValueConverter TimeConverter { get; } = new ValueConverter<DateTimeOffset, DateTimeOffset>(
            v => new DateTimeOffset(v.UtcTicks - (v.UtcTicks % 10), TimeSpan.Zero),
            v => v.ToUniversalTime());

        public override Task<IDbContextTransaction> BeginWriteAsync(DbContext db, CancellationToken cancellationToken)
            => db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

        public override Task<IDbContextTransaction> BeginSnapshotAsync(DbContext db, CancellationToken cancellationToken)
            => db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        public override Task LockScopeAsync(DbContext db, string scope, CancellationToken cancellationToken)
        {
            var key = unchecked((long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(scope)));
            return db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", cancellationToken);
        }
    }


    /// <summary>A transaction begun on the connection and handed to EF Core, which does not own it: disposing this
    /// rolls it back (unless committed) instead of leaving it open until the connection closes.</summary>
    private sealed class OwnedTransaction(IDbContextTransaction inner, DbTransaction transaction) : IDbContextTransaction
    {
        public Guid TransactionId => inner.TransactionId;

        public void Commit() => inner.Commit();

        public Task CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

        public void Rollback() => inner.Rollback();

        public Task RollbackAsync(CancellationToken cancellationToken = default) => inner.RollbackAsync(cancellationToken);

        public void Dispose()
        {
            inner.Dispose();
            transaction.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
    }
}
