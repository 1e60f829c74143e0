using Microsoft.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>API keys in a database. Quotas and name uniqueness are enforced by the database: the count and the insert
/// run under one lock per scope, and a unique index on the normalised name settles any race.</summary>
internal sealed class EfApiKeyStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time)
    : StoreBase<TContext>(contexts, time), IApiKeyStore where TContext : DbContext
{
    public async ValueTask<ApiKeyRecord?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<ApiKeyRow>().FirstOrDefaultAsync(k => k.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    public async ValueTask<ApiKeyStoreResult> CreateAsync(ApiKeyRecord key, int? maxInScope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var row = ToRow(key);
        await LockScopeAsync(db, $"api-keys:{row.TeamId}:{row.Kind}:{row.OwnerKey}", cancellationToken).ConfigureAwait(false);
        var keys = db.Set<ApiKeyRow>();
        if (await keys.AnyAsync(k => k.Id == row.Id, cancellationToken).ConfigureAwait(false))
        {
            return ApiKeyStoreResult.Conflict;
        }

        var scope = keys.Where(k => k.TeamId == row.TeamId && k.Kind == row.Kind && k.OwnerKey == row.OwnerKey);
        if (await scope.AnyAsync(k => k.NameKey == row.NameKey, cancellationToken).ConfigureAwait(false))
        {
            return ApiKeyStoreResult.DuplicateName;
        }

        if (maxInScope is { } limit && await scope.CountAsync(cancellationToken).ConfigureAwait(false) >= limit)
        {
            return ApiKeyStoreResult.QuotaExceeded;
        }

        keys.Add(row);
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return await keys.AnyAsync(k => k.Id == row.Id, cancellationToken).ConfigureAwait(false)
                ? ApiKeyStoreResult.Conflict
                : ApiKeyStoreResult.DuplicateName;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ApiKeyStoreResult.Success;
    }

    public async ValueTask<ApiKeyStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(name);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var nameKey = NameKey(name);
        int updated;
        try
        {
            updated = await db.Set<ApiKeyRow>().Where(k => k.Id == id)
                .ExecuteUpdateAsync(u => u.SetProperty(k => k.Name, name).SetProperty(k => k.NameKey, nameKey), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUniqueViolation(ex))
        {
            return ApiKeyStoreResult.DuplicateName;
        }

        if (updated == 0)
        {
            return ApiKeyStoreResult.NotFound;
        }

        await AppendChangeAsync(db, VezaChangeKind.ApiKey, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ApiKeyStoreResult.Success;
    }

    public async ValueTask<ApiKeyStoreResult> RevokeAsync(string id, string revokedBy, ApiKeyAuthority authority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(revokedBy);
        var inactive = (int)ApiKeyStatus.Inactive;
        var level = (int)authority;
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var keys = db.Set<ApiKeyRow>().Where(k => k.Id == id);
        // One statement: a key already revoked with at least this authority keeps its record (a revoke is never
        // weakened); any other is revoked by this caller.
        var updated = await keys.Where(k => !(k.Status == inactive && k.RevokedAuthority >= level))
            .ExecuteUpdateAsync(u => u.SetProperty(k => k.Status, inactive).SetProperty(k => k.RevokedBy, revokedBy)
                .SetProperty(k => k.RevokedAuthority, level), cancellationToken).ConfigureAwait(false);
        if (updated == 0 && !await keys.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return ApiKeyStoreResult.NotFound;
        }

        await AppendChangeAsync(db, VezaChangeKind.ApiKey, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ApiKeyStoreResult.Success;
    }

    public async ValueTask<ApiKeyStoreResult> ReinstateAsync(string id, ApiKeyAuthority authority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var active = (int)ApiKeyStatus.Active;
        var level = (int)authority;
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var keys = db.Set<ApiKeyRow>().Where(k => k.Id == id);
        var updated = await keys.Where(k => k.Status == active || k.RevokedAuthority <= level)
            .ExecuteUpdateAsync(u => u.SetProperty(k => k.Status, active).SetProperty(k => k.RevokedBy, (string?)null)
                .SetProperty(k => k.RevokedAuthority, (int)ApiKeyAuthority.None), cancellationToken).ConfigureAwait(false);
        if (updated == 0)
        {
            return await keys.AnyAsync(cancellationToken).ConfigureAwait(false) ? ApiKeyStoreResult.Outranked : ApiKeyStoreResult.NotFound;
        }

        await AppendChangeAsync(db, VezaChangeKind.ApiKey, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ApiKeyStoreResult.Success;
    }

    public async ValueTask<ApiKeyStoreResult> ReplaceSecretHashAsync(string id, string expectedHash, string newHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(expectedHash);
        ArgumentNullException.ThrowIfNull(newHash);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var keys = db.Set<ApiKeyRow>().Where(k => k.Id == id);
        // The same secret under a stronger hash: nothing any instance remembers changes, so no feed entry.
        var updated = await keys.Where(k => k.SecretHash == expectedHash)
            .ExecuteUpdateAsync(u => u.SetProperty(k => k.SecretHash, newHash), cancellationToken).ConfigureAwait(false);
        if (updated == 1)
        {
            return ApiKeyStoreResult.Success;
        }

        return await keys.AnyAsync(cancellationToken).ConfigureAwait(false) ? ApiKeyStoreResult.Conflict : ApiKeyStoreResult.NotFound;
    }

    public async ValueTask<ApiKeyStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        if (await db.Set<ApiKeyRow>().Where(k => k.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return ApiKeyStoreResult.NotFound;
        }

        await AppendChangeAsync(db, VezaChangeKind.ApiKey, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ApiKeyStoreResult.Success;
    }

    public async ValueTask<IReadOnlyList<string>> DeletePersonalKeysAsync(string ownerUserId, string? teamId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ownerUserId);
        var personal = (int)ApiKeyKind.Personal;
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var mine = db.Set<ApiKeyRow>().Where(k => k.Kind == personal && k.OwnerUserId == ownerUserId && (teamId == null || k.TeamId == teamId));
        var ids = await mine.OrderBy(k => k.Id).Select(k => k.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        // Delete exactly the keys listed (and report only those actually deleted by this call).
        var deleted = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            if (await db.Set<ApiKeyRow>().Where(k => k.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                deleted.Add(id);
            }
        }

        await AppendChangesAsync(db, VezaChangeKind.ApiKey, deleted, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public async ValueTask<ApiKeyPage> ListAsync(ApiKeyQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var size = Math.Clamp(query.PageSize, 1, 1000);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        IQueryable<ApiKeyRow> keys = db.Set<ApiKeyRow>();
        if (query.AfterId is { } after)
        {
            keys = keys.Where(k => k.Id.CompareTo(after) > 0);
        }

        if (query.Kind is { } kind)
        {
            keys = keys.Where(k => k.Kind == (int)kind);
        }

        if (query.TeamId is { } team)
        {
            keys = keys.Where(k => k.TeamId == team);
        }

        if (query.OwnerUserId is { } owner)
        {
            keys = keys.Where(k => k.OwnerUserId == owner);
        }

        if (query.Status is { } status)
        {
            keys = keys.Where(k => k.Status == (int)status);
        }

        if (query.Name is { } name)
        {
            keys = keys.Where(k => k.Name == name);
        }

        if (NameFilter(query.NameContains) is { } contains)
        {
            keys = keys.Where(k => k.NameKey.Contains(contains));
        }

        var rows = await keys.OrderBy(k => k.Id).Take(size + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var hasMore = rows.Count > size;
        return new ApiKeyPage([.. rows.Take(size).Select(ToRecord)], hasMore);
    }

    public async ValueTask RecordLastAccessAsync(IReadOnlyDictionary<string, DateTimeOffset> lastAccess, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastAccess);
        if (lastAccess.Count == 0)
        {
            return;
        }

        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        foreach (var (id, at) in lastAccess)
        {
            await db.Set<ApiKeyRow>().Where(k => k.Id == id && k.LastAccessAt < at)
                .ExecuteUpdateAsync(u => u.SetProperty(k => k.LastAccessAt, at), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ApiKeyRow ToRow(ApiKeyRecord key) => new()
    {
        Id = key.Id,
        Kind = (int)key.Kind,
        Name = key.Name,
        NameKey = NameKey(key.Name),
        TeamId = key.TeamId,
        OwnerUserId = key.OwnerUserId,
        // Team keys share one scope per team; a personal key's scope is its owner's.
        OwnerKey = key.Kind == ApiKeyKind.Team ? "" : key.OwnerUserId ?? "",
        CreatedByUserId = key.CreatedByUserId,
        SecretHash = key.SecretHash,
        Status = (int)key.Status,
        RevokedBy = key.RevokedBy,
        RevokedAuthority = (int)key.RevokedAuthority,
        CreatedAt = key.CreatedAt,
        LastAccessAt = key.LastAccessAt,
    };

    private static ApiKeyRecord ToRecord(ApiKeyRow row) => new()
    {
        Id = row.Id,
        Kind = (ApiKeyKind)row.Kind,
        Name = row.Name,
        TeamId = row.TeamId,
        OwnerUserId = row.OwnerUserId,
        CreatedByUserId = row.CreatedByUserId,
        SecretHash = row.SecretHash,
        Status = (ApiKeyStatus)row.Status,
        RevokedBy = row.RevokedBy,
        RevokedAuthority = (ApiKeyAuthority)row.RevokedAuthority,
        CreatedAt = row.CreatedAt,
        LastAccessAt = row.LastAccessAt,
    };
}
