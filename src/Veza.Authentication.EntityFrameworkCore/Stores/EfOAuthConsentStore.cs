using Microsoft.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>Consents in a database, one row per user, app and team.</summary>
internal sealed class EfOAuthConsentStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time)
    : StoreBase<TContext>(contexts, time), IOAuthConsentStore where TContext : DbContext
{
    public async ValueTask<IReadOnlyList<OAuthConsentRecord>> ListAsync(string userId, string? appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<ConsentRow>().Where(c => c.UserId == userId && (appId == null || c.AppId == appId))
            .OrderBy(c => c.AppId).ThenBy(c => c.TeamId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new OAuthConsentRecord(r.UserId, r.AppId, r.TeamId, r.Scopes, r.GrantedAt))];
    }

    public async ValueTask SaveAsync(OAuthConsentRecord consent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var scopes = consent.Scopes.ToList();
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // Replace or insert; two saves of the same consent at once both succeed, and one of them is kept.
        for (var attempt = 0; ; attempt++)
        {
            await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
            var updated = await db.Set<ConsentRow>().Where(c => c.UserId == consent.UserId && c.AppId == consent.AppId && c.TeamId == consent.TeamId)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.Scopes, scopes).SetProperty(c => c.GrantedAt, consent.GrantedAt), cancellationToken)
                .ConfigureAwait(false);
            if (updated == 0)
            {
                db.Set<ConsentRow>().Add(new ConsentRow
                {
                    UserId = consent.UserId, AppId = consent.AppId, TeamId = consent.TeamId, Scopes = scopes, GrantedAt = consent.GrantedAt,
                });
                if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false) && attempt == 0)
                {
                    continue;
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    public async ValueTask<int> RemoveAsync(string? userId, string appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<ConsentRow>().Where(c => c.AppId == appId && (userId == null || c.UserId == userId))
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
