using Microsoft.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>Grants, codes and refresh tokens in a database. A redemption and a rotation are each one conditional
/// update: of concurrent attempts, the database lets exactly one change the row.</summary>
internal sealed class EfOAuthGrantStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time, EfStoreSettings settings)
    : StoreBase<TContext>(contexts, time), IOAuthGrantStore where TContext : DbContext
{
    public async ValueTask<OAuthStoreResult> AddCodeAsync(AuthorizationCodeRecord code, int maxPendingPerUserAndApp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingPerUserAndApp, 1);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        await LockScopeAsync(db, $"codes:{code.UserId}:{code.AppId}", cancellationToken).ConfigureAwait(false);
        var codes = db.Set<CodeRow>();
        if (await codes.AnyAsync(c => c.Hash == code.Hash, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.Conflict;
        }

        var mine = codes.Where(c => c.UserId == code.UserId && c.AppId == code.AppId);
        await mine.Where(c => c.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        // The oldest pending codes beyond the limit (counting the new one) make room.
        var pending = await mine.Where(c => c.RedeemedAt == null).OrderBy(c => c.ExpiresAt).ThenBy(c => c.Hash)
            .Select(c => c.Hash).ToListAsync(cancellationToken).ConfigureAwait(false);
        var surplus = pending.Take(Math.Max(0, pending.Count - maxPendingPerUserAndApp + 1)).ToList();
        if (surplus.Count > 0)
        {
            await codes.Where(c => surplus.Contains(c.Hash)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        codes.Add(GrantMapping.ToRow(code));
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.Conflict;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public async ValueTask<AuthorizationCodeRecord?> FindCodeAsync(string codeHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<CodeRow>().FirstOrDefaultAsync(c => c.Hash == codeHash && c.ExpiresAt > now, cancellationToken).ConfigureAwait(false);
        return row is null ? null : GrantMapping.ToRecord(row);
    }

    public async ValueTask<CodeRedemption> RedeemCodeAsync(string codeHash, string appId, DateTimeOffset now, DateTimeOffset grantExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        ArgumentNullException.ThrowIfNull(appId);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var codes = db.Set<CodeRow>();
        DateTimeOffset? redeemedAt = now;
        // The one winner: only the update that finds the code unredeemed changes it.
        var won = await codes.Where(c => c.Hash == codeHash && c.AppId == appId && c.ExpiresAt > now && c.RedeemedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.RedeemedAt, redeemedAt), cancellationToken).ConfigureAwait(false) == 1;
        var row = await codes.FirstOrDefaultAsync(c => c.Hash == codeHash, cancellationToken).ConfigureAwait(false);
        if (row is null || row.AppId != appId || (!won && row.ExpiresAt <= now))
        {
            return new CodeRedemption(CodeRedemptionStatus.NotFound, null);
        }

        if (!won)
        {
            return new CodeRedemption(CodeRedemptionStatus.AlreadyRedeemed, GrantMapping.ToRecord(row));
        }

        var code = GrantMapping.ToRecord(row) with { RedeemedAt = null };
        db.Set<GrantRow>().Add(GrantMapping.ToRow(code.StartGrant(now, grantExpiresAt)));
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            // The grant id exists already: the code was redeemed before, in another form.
            return new CodeRedemption(CodeRedemptionStatus.AlreadyRedeemed, code);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new CodeRedemption(CodeRedemptionStatus.Redeemed, code);
    }

    public async ValueTask<OAuthGrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grantId);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<GrantRow>().FirstOrDefaultAsync(g => g.Id == grantId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : GrantMapping.ToRecord(row);
    }

    public async ValueTask<OAuthStoreResult> AddRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        if (!await db.Set<GrantRow>().AnyAsync(g => g.Id == token.GrantId, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.NotFound;
        }

        db.Set<RefreshTokenRow>().Add(GrantMapping.ToRow(token));
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.Conflict;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public async ValueTask<RefreshTokenRecord?> FindRefreshTokenAsync(string tokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenHash);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<RefreshTokenRow>().FirstOrDefaultAsync(t => t.Hash == tokenHash, cancellationToken).ConfigureAwait(false);
        return row is null ? null : GrantMapping.ToRecord(row);
    }

    public async ValueTask<OAuthStoreResult> RotateRefreshTokenAsync(string currentHash, RefreshTokenRecord successor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(currentHash);
        ArgumentNullException.ThrowIfNull(successor);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var tokens = db.Set<RefreshTokenRow>();
        DateTimeOffset? rotatedAt = now;
        var won = await tokens.Where(t => t.Hash == currentHash && t.GrantId == successor.GrantId && t.RotatedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.RotatedAt, rotatedAt), cancellationToken).ConfigureAwait(false) == 1;
        if (!won)
        {
            return await tokens.AnyAsync(t => t.Hash == currentHash && t.GrantId == successor.GrantId, cancellationToken).ConfigureAwait(false)
                ? OAuthStoreResult.Conflict
                : OAuthStoreResult.NotFound;
        }

        tokens.Add(GrantMapping.ToRow(successor));
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.Conflict;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public async ValueTask<IReadOnlyList<string>> RevokeGrantsAsync(OAuthGrantFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.GrantId is null && filter.AppId is null)
        {
            throw new ArgumentException("Name a grant or an app.", nameof(filter));
        }

        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var grants = db.Set<GrantRow>().Where(g => g.RevokedAt == null);
        if (filter.GrantId is { } grantId)
        {
            grants = grants.Where(g => g.Id == grantId);
        }

        if (filter.AppId is { } appId)
        {
            grants = grants.Where(g => g.AppId == appId);
        }

        if (filter.UserId is { } userId)
        {
            grants = grants.Where(g => g.UserId == userId);
        }

        // Each grant is revoked by one conditional update, so a grant two calls race for is reported by one of them.
        var candidates = await grants.OrderBy(g => g.Id).Select(g => g.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var revoked = new List<string>(candidates.Count);
        DateTimeOffset? revokedAt = now;
        foreach (var id in candidates)
        {
            if (await db.Set<GrantRow>().Where(g => g.Id == id && g.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, revokedAt), cancellationToken).ConfigureAwait(false) == 1)
            {
                revoked.Add(id);
            }
        }

        if (filter.AppId is { } app)
        {
            var codes = db.Set<CodeRow>().Where(c => c.RedeemedAt == null && c.AppId == app);
            if (filter.UserId is { } user)
            {
                codes = codes.Where(c => c.UserId == user);
            }

            if (filter.GrantId is { } grant)
            {
                codes = codes.Where(c => c.GrantId == grant);
            }

            await codes.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await AppendChangesAsync(db, VezaChangeKind.Grant, revoked, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    public async ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // In batches, each its own short transaction, so that pruning never holds locks for long; every instance may
        // prune at once, and only what has expired is touched.
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var batch = settings.PruneBatchSize;
        await PruneInBatchesAsync(() => db.Set<CodeRow>().Where(c => c.ExpiresAt <= now).OrderBy(c => c.Hash).Take(batch).Select(c => c.Hash),
            hashes => db.Set<CodeRow>().Where(c => hashes.Contains(c.Hash)), batch, cancellationToken).ConfigureAwait(false);
        await PruneInBatchesAsync(() => db.Set<RefreshTokenRow>().Where(t => t.ExpiresAt <= now).OrderBy(t => t.Hash).Take(batch).Select(t => t.Hash),
            hashes => db.Set<RefreshTokenRow>().Where(t => hashes.Contains(t.Hash)), batch, cancellationToken).ConfigureAwait(false);
        var removed = 0;
        while (true)
        {
            var expired = await db.Set<GrantRow>().Where(g => g.ExpiresAt <= now).OrderBy(g => g.Id).Take(batch).Select(g => g.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (expired.Count == 0)
            {
                return removed;
            }

            await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
            await db.Set<RefreshTokenRow>().Where(t => expired.Contains(t.GrantId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            removed += await db.Set<GrantRow>().Where(g => expired.Contains(g.Id) && g.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
