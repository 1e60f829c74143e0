using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Diagnostics;

namespace Veza.Authentication.ApiKeys;

/// <summary>Renaming, revoking, reinstating and deleting a key the caller may manage.</summary>
public sealed partial class ApiKeyService
{
    /// <summary>Renames a key the caller may manage.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="name">The new name (see <see cref="IsValidName"/>).</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success with the renamed key, or Forbidden, InvalidName, NotFound or DuplicateName.</returns>
    public Task<ApiKeyChange> RenameAsync(string id, string name, VezaCaller caller, CancellationToken cancellationToken)
        => RenameAsync(null, id, name, caller, cancellationToken);

    internal async Task<ApiKeyChange> RenameAsync(ApiKeyKind? kind, string id, string name, VezaCaller caller, CancellationToken cancellationToken)
    {
        if (!CredentialNames.TryNormalize(name, out var normalized))
        {
            ArgumentNullException.ThrowIfNull(id);
            ArgumentNullException.ThrowIfNull(caller);
            return caller.MayManage ? new ApiKeyChange(ApiKeyResult.InvalidName, Error: InvalidNameMessage) : Refused(NotManagerMessage);
        }

        var change = await ChangeAsync(kind, id, VezaAuditActions.ApiKeyRename, caller, (_, ct) => _store.RenameAsync(id, normalized, ct), cancellationToken)
            .ConfigureAwait(false);
        if (change.Result != ApiKeyResult.Success)
        {
            return change;
        }

        var renamed = await FindStoredAsync(id, cancellationToken).ConfigureAwait(false) ?? change.Key! with { Name = normalized };
        return change with { Key = renamed };
    }

    /// <summary>Revokes a key the caller may manage (<see cref="ApiKeyStatus.Inactive"/>), recording the caller's
    /// subject and authority over it: only someone with at least that authority may reinstate it.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, Forbidden or NotFound. From the next request that starts after this returns, the key is refused.</returns>
    public Task<ApiKeyChange> RevokeAsync(string id, VezaCaller caller, CancellationToken cancellationToken)
        => RevokeAsync(null, id, caller, cancellationToken);

    internal async Task<ApiKeyChange> RevokeAsync(ApiKeyKind? kind, string id, VezaCaller caller, CancellationToken cancellationToken)
        => await ChangeAsync(kind, id, VezaAuditActions.ApiKeyRevoke, caller, (authority, ct) => _store.RevokeAsync(id, caller.Subject, authority, ct), cancellationToken)
            .ConfigureAwait(false) with { Key = null };

    /// <summary>Reinstates a key the caller may manage (<see cref="ApiKeyStatus.Active"/>), unless it was revoked
    /// with more authority than the caller has over it.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, Forbidden, NotFound, or Outranked when the revoke outranks the caller.</returns>
    public Task<ApiKeyChange> ReinstateAsync(string id, VezaCaller caller, CancellationToken cancellationToken)
        => ReinstateAsync(null, id, caller, cancellationToken);

    internal async Task<ApiKeyChange> ReinstateAsync(ApiKeyKind? kind, string id, VezaCaller caller, CancellationToken cancellationToken)
    {
        var change = await ChangeAsync(kind, id, VezaAuditActions.ApiKeyReinstate, caller, (authority, ct) => _store.ReinstateAsync(id, authority, ct), cancellationToken)
            .ConfigureAwait(false) with { Key = null };
        return change.Result == ApiKeyResult.Outranked
            ? change with { Error = "This key was revoked by someone with more authority over it; only they, or someone with at least as much, may reinstate it." }
            : change;
    }

    /// <summary>Deletes a key the caller may manage, permanently.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success with the key as it was, Forbidden or NotFound.</returns>
    public Task<ApiKeyChange> DeleteAsync(string id, VezaCaller caller, CancellationToken cancellationToken)
        => DeleteAsync(null, id, caller, cancellationToken);

    internal Task<ApiKeyChange> DeleteAsync(ApiKeyKind? kind, string id, VezaCaller caller, CancellationToken cancellationToken)
        => ChangeAsync(kind, id, VezaAuditActions.ApiKeyDelete, caller, async (_, ct) =>
        {
            try
            {
                return await _store.DeleteAsync(id, ct).ConfigureAwait(false);
            }
            finally
            {
                _usage.Forget(id);
            }
        }, cancellationToken);

    // One change to an existing key: the caller must manage something and have authority over the key (of the given
    // kind, when one is given); then the write, then the audit event. The key is read first for the rules and for the
    // audit trail's team. For the host, whose authority needs no key, a failed read does not stop the write.
    private async Task<ApiKeyChange> ChangeAsync(ApiKeyKind? kind, string id, string action, VezaCaller caller,
        Func<ApiKeyAuthority, CancellationToken, ValueTask<ApiKeyStoreResult>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.MayManage)
        {
            await AuditAsync(caller, action, ApiKeyResult.Forbidden, ApiKeyFormat.IsValidKeyId(id) ? id : null, null, cancellationToken).ConfigureAwait(false);
            return Refused(NotManagerMessage);
        }

        ApiKeyRecord? key;
        ApiKeyAuthority authority;
        if (caller.IsHost)
        {
            key = await ReadForHostAsync(id, cancellationToken).ConfigureAwait(false);
            authority = ApiKeyAuthority.Host;
        }
        else
        {
            key = await FindStoredAsync(id, cancellationToken).ConfigureAwait(false);
            if (key is null || (kind is not null && key.Kind != kind))
            {
                await AuditAsync(caller, action, ApiKeyResult.NotFound, ApiKeyFormat.IsValidKeyId(id) ? id : null, null, cancellationToken).ConfigureAwait(false);
                return Missing();
            }

            authority = AuthorityOver(caller, key);
            if (authority == ApiKeyAuthority.None)
            {
                // Out of the caller's reach: recorded as refused, answered as missing, so the id is not confirmed.
                await AuditAsync(caller, action, ApiKeyResult.Forbidden, id, key.TeamId, cancellationToken).ConfigureAwait(false);
                return Missing();
            }
        }

        ApiKeyStoreResult result;
        try
        {
            result = await write(authority, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever the store answered (a write can commit and then time out), the cache follows.
            _verifier.Evict(id);
        }

        var change = result == ApiKeyStoreResult.Success ? new ApiKeyChange(ApiKeyResult.Success, key) : new ApiKeyChange(Map(result));
        await AuditAsync(caller, action, change.Result, id, key?.TeamId, cancellationToken).ConfigureAwait(false);
        return change.Result == ApiKeyResult.NotFound ? Missing() : change;
    }

    // The key, for the host's audit trail; a key that cannot be read has none, and the write goes ahead.
    private async ValueTask<ApiKeyRecord?> ReadForHostAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await FindStoredAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
