using Microsoft.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>Signing keys in a database; the private part stays protected by Data Protection.</summary>
internal sealed class EfSigningKeyStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time)
    : StoreBase<TContext>(contexts, time), ISigningKeyStore where TContext : DbContext
{
    public async ValueTask<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<SigningKeyRow>().ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new SigningKeyRecord
        {
            Id = r.Id,
            Algorithm = r.Algorithm,
            ProtectedPrivateKey = r.ProtectedPrivateKey,
            PublishedAt = r.PublishedAt,
            SignsFrom = r.SignsFrom,
            SignsUntil = r.SignsUntil,
            UnpublishAt = r.UnpublishAt,
        })];
    }

    public async ValueTask<OAuthStoreResult> AddAsync(SigningKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        db.Set<SigningKeyRow>().Add(new SigningKeyRow
        {
            Id = key.Id,
            Algorithm = key.Algorithm,
            ProtectedPrivateKey = key.ProtectedPrivateKey,
            PublishedAt = key.PublishedAt,
            SignsFrom = key.SignsFrom,
            SignsUntil = key.SignsUntil,
            UnpublishAt = key.UnpublishAt,
        });
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.Conflict;
        }

        await AppendChangeAsync(db, VezaChangeKind.SigningKeys, key.Id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public async ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var expired = await db.Set<SigningKeyRow>().Where(k => k.UnpublishAt <= now).Select(k => k.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var removed = new List<string>(expired.Count);
        foreach (var id in expired)
        {
            // Each key is removed by one instance only, and only that one announces it.
            if (await db.Set<SigningKeyRow>().Where(k => k.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                removed.Add(id);
            }
        }

        await AppendChangesAsync(db, VezaChangeKind.SigningKeys, removed, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed.Count;
    }
}

/// <summary>Revoked access tokens in a database, until they would have expired anyway.</summary>
internal sealed class EfTokenRevocationStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time, EfStoreSettings settings)
    : StoreBase<TContext>(contexts, time), ITokenRevocationStore where TContext : DbContext
{
    public async ValueTask AddAsync(RevokedTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        if (await db.Set<RevokedTokenRow>().AnyAsync(r => r.TokenId == token.TokenId, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        db.Set<RevokedTokenRow>().Add(new RevokedTokenRow
        {
            TokenId = token.TokenId, ClientId = token.ClientId, ExpiresAt = token.ExpiresAt, RevokedAt = token.RevokedAt,
        });
        // A clash means another instance recorded the same revocation first, and announced it.
        if (await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            await AppendChangeAsync(db, VezaChangeKind.RevokedToken, token.TokenId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<RevokedTokenRecord>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<RevokedTokenRow>().Where(r => r.ExpiresAt > now).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new RevokedTokenRecord(r.TokenId, r.ClientId, r.ExpiresAt, r.RevokedAt))];
    }

    public async ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var batch = settings.PruneBatchSize;
        return await PruneInBatchesAsync(
            () => db.Set<RevokedTokenRow>().Where(r => r.ExpiresAt <= now).OrderBy(r => r.TokenId).Take(batch).Select(r => r.TokenId),
            ids => db.Set<RevokedTokenRow>().Where(r => ids.Contains(r.TokenId)), batch, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The sign-in settings in one row, changed only from the version they were read at.</summary>
internal sealed class EfSettingsStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time)
    : StoreBase<TContext>(contexts, time), IVezaSettingsStore where TContext : DbContext
{
    public async ValueTask<VezaSignInSettings> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SettingsRow>().FirstOrDefaultAsync(s => s.Id == 1, cancellationToken).ConfigureAwait(false);
        return row is null
            ? new VezaSignInSettings()
            : new VezaSignInSettings { OAuth2Enabled = row.OAuth2Enabled, Version = row.Version, UpdatedAt = row.UpdatedAt, UpdatedBy = row.UpdatedBy };
    }

    public async ValueTask<OAuthStoreResult> UpdateAsync(VezaSignInSettings settings, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        var next = expectedVersion + 1;
        var updated = await db.Set<SettingsRow>().Where(s => s.Id == 1 && s.Version == expectedVersion)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.OAuth2Enabled, settings.OAuth2Enabled).SetProperty(s => s.Version, next)
                .SetProperty(s => s.UpdatedAt, settings.UpdatedAt).SetProperty(s => s.UpdatedBy, settings.UpdatedBy), cancellationToken)
            .ConfigureAwait(false);
        if (updated == 0)
        {
            return OAuthStoreResult.Conflict;
        }

        await AppendChangeAsync(db, VezaChangeKind.Settings, string.Empty, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }
}

/// <summary>Settings of the stores themselves.</summary>
/// <param name="PruneBatchSize">The most rows one pruning statement deletes.</param>
/// <param name="ListenForChanges">Whether the feed listens for PostgreSQL's notifications.</param>
internal sealed record EfStoreSettings(int PruneBatchSize, bool ListenForChanges = true);
