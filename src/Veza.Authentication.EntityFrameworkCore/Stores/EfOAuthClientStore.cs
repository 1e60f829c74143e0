using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>OAuth2 clients and apps, with their secrets in a table of their own. A change to a client first takes the
/// client row's write lock (its version is bumped), so the two-secrets limit is counted and kept under that lock.</summary>
internal sealed class EfOAuthClientStore<TContext>(IDbContextFactory<TContext> contexts, TimeProvider time)
    : StoreBase<TContext>(contexts, time), IOAuthClientStore where TContext : DbContext
{
    public async ValueTask<OAuthClientRecord?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<ClientRow>().FirstOrDefaultAsync(c => c.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var secrets = await db.Set<ClientSecretRow>().Where(s => s.ClientId == id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return ClientMapping.ToRecord(row, secrets);
    }

    public async ValueTask<OAuthStoreResult> CreateAsync(OAuthClientRecord client, int maxClientsPerTeam, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var row = ClientMapping.ToRow(client);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        await LockScopeAsync(db, $"clients:{row.TeamId}:{row.Kind}", cancellationToken).ConfigureAwait(false);
        var clients = db.Set<ClientRow>();
        if (await clients.AnyAsync(c => c.Id == row.Id, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.Conflict;
        }

        var team = clients.Where(c => c.TeamId == row.TeamId && c.Kind == row.Kind);
        if (await team.AnyAsync(c => c.NameKey == row.NameKey, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.DuplicateName;
        }

        if (await team.CountAsync(cancellationToken).ConfigureAwait(false) >= maxClientsPerTeam)
        {
            return OAuthStoreResult.QuotaExceeded;
        }

        clients.Add(row);
        db.Set<ClientSecretRow>().AddRange(client.Secrets.Select(s => ClientMapping.ToRow(client.Id, s)));
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return await clients.AnyAsync(c => c.Id == row.Id, cancellationToken).ConfigureAwait(false)
                ? OAuthStoreResult.Conflict
                : OAuthStoreResult.DuplicateName;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public ValueTask<OAuthStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameKey = NameKey(name);
        return UpdateAsync(id, c => true, u => u.SetProperty(c => c.Name, name).SetProperty(c => c.NameKey, nameKey), cancellationToken);
    }

    public ValueTask<OAuthStoreResult> UpdateAppAsync(string id, string name, IReadOnlyList<string> allowedScopes, OAuthAppSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(allowedScopes);
        ArgumentNullException.ThrowIfNull(settings);
        var nameKey = NameKey(name);
        var scopes = allowedScopes.ToList();
        var uris = settings.RedirectUris.ToList();
        var app = (int)OAuthClientKind.App;
        return UpdateAsync(id, c => c.Kind == app, u => u
            .SetProperty(c => c.Name, name).SetProperty(c => c.NameKey, nameKey)
            .SetProperty(c => c.AllowedScopes, scopes)
            .SetProperty(c => c.AppBaseUrl, settings.BaseUrl)
            .SetProperty(c => c.AppRedirectUris, uris)
            .SetProperty(c => c.AppIsPublic, settings.IsPublic)
            .SetProperty(c => c.AppAllowAnyRedirectUri, settings.AllowAnyRedirectUri)
            .SetProperty(c => c.AppAllowLoopbackRedirectUris, settings.AllowLoopbackRedirectUris), cancellationToken);
    }

    public ValueTask<OAuthStoreResult> SetStatusAsync(string id, OAuthClientStatus status, string? revokedBy, CancellationToken cancellationToken)
    {
        var value = (int)status;
        var by = status == OAuthClientStatus.Inactive ? revokedBy : null;
        return UpdateAsync(id, c => true, u => u.SetProperty(c => c.Status, value).SetProperty(c => c.RevokedBy, by), cancellationToken);
    }

    public async ValueTask<OAuthStoreResult> AddSecretAsync(string id, OAuthClientSecretRecord secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(secret);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        if (!await LockClientAsync(db, id, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.NotFound;
        }

        var secrets = db.Set<ClientSecretRow>();
        if (await secrets.CountAsync(s => s.ClientId == id, cancellationToken).ConfigureAwait(false) >= OAuthClientRecord.MaxSecrets)
        {
            return OAuthStoreResult.QuotaExceeded;
        }

        secrets.Add(ClientMapping.ToRow(id, secret));
        if (!await TrySaveAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return OAuthStoreResult.QuotaExceeded;
        }

        await AppendChangeAsync(db, VezaChangeKind.Client, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public async ValueTask<OAuthStoreResult> RemoveSecretAsync(string id, string secretId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(secretId);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        if (!await LockClientAsync(db, id, cancellationToken).ConfigureAwait(false)
            || await db.Set<ClientSecretRow>().Where(s => s.ClientId == id && s.SecretId == secretId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return OAuthStoreResult.NotFound;
        }

        await AppendChangeAsync(db, VezaChangeKind.Client, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public async ValueTask<OAuthStoreResult> ReplaceSecretHashAsync(string id, string secretId, string expectedHash, string newHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(secretId);
        ArgumentNullException.ThrowIfNull(expectedHash);
        ArgumentNullException.ThrowIfNull(newHash);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var secret = db.Set<ClientSecretRow>().Where(s => s.ClientId == id && s.SecretId == secretId);
        // A hash upgrade of the same secret: no feed entry.
        if (await secret.Where(s => s.Hash == expectedHash).ExecuteUpdateAsync(u => u.SetProperty(s => s.Hash, newHash), cancellationToken).ConfigureAwait(false) == 1)
        {
            return OAuthStoreResult.Success;
        }

        return await secret.AnyAsync(cancellationToken).ConfigureAwait(false) ? OAuthStoreResult.Conflict : OAuthStoreResult.NotFound;
    }

    public async ValueTask<OAuthStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        await db.Set<ClientSecretRow>().Where(s => s.ClientId == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Set<ClientRow>().Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return OAuthStoreResult.NotFound;
        }

        await AppendChangeAsync(db, VezaChangeKind.Client, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }

    public async ValueTask<OAuthClientPage> ListAsync(OAuthClientQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var size = Math.Clamp(query.PageSize, 1, 1000);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        IQueryable<ClientRow> clients = db.Set<ClientRow>();
        if (query.AfterId is { } after)
        {
            clients = clients.Where(c => c.Id.CompareTo(after) > 0);
        }

        if (query.TeamId is { } team)
        {
            clients = clients.Where(c => c.TeamId == team);
        }

        if (query.Kind is { } kind)
        {
            clients = clients.Where(c => c.Kind == (int)kind);
        }

        if (NameFilter(query.NameContains) is { } contains)
        {
            clients = clients.Where(c => c.NameKey.Contains(contains));
        }

        var rows = await clients.OrderBy(c => c.Id).Take(size + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var hasMore = rows.Count > size;
        rows = [.. rows.Take(size)];
        var ids = rows.Select(r => r.Id).ToList();
        var secrets = (await db.Set<ClientSecretRow>().Where(s => ids.Contains(s.ClientId)).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(s => s.ClientId, StringComparer.Ordinal);
        return new OAuthClientPage([.. rows.Select(r => ClientMapping.ToRecord(r, secrets[r.Id]))], hasMore);
    }

    public async ValueTask RecordLastUseAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastUse);
        if (lastUse.Count == 0)
        {
            return;
        }

        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        foreach (var (id, at) in lastUse)
        {
            DateTimeOffset? value = at;
            await db.Set<ClientRow>().Where(c => c.Id == id && (c.LastUsedAt == null || c.LastUsedAt < value))
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.LastUsedAt, value), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Takes the client row's write lock for the rest of the transaction; false when there is no such client.
    private static async Task<bool> LockClientAsync(TContext db, string id, CancellationToken cancellationToken)
        => await db.Set<ClientRow>().Where(c => c.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Version, c => c.Version + 1), cancellationToken).ConfigureAwait(false) == 1;

    private async ValueTask<OAuthStoreResult> UpdateAsync(string id, Expression<Func<ClientRow, bool>> applies,
        Action<UpdateSettersBuilder<ClientRow>> set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
        int updated;
        try
        {
            updated = await db.Set<ClientRow>().Where(c => c.Id == id).Where(applies)
                .ExecuteUpdateAsync(u => set(u.SetProperty(c => c.Version, c => c.Version + 1)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUniqueViolation(ex))
        {
            return OAuthStoreResult.DuplicateName;
        }

        if (updated == 0)
        {
            return OAuthStoreResult.NotFound;
        }

        await AppendChangeAsync(db, VezaChangeKind.Client, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return OAuthStoreResult.Success;
    }
}
