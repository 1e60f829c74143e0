namespace Veza.Authentication.Stores;

/// <summary>
/// Where API keys are kept. Implementations must be safe for concurrent use; every write is atomic on its own.
/// Name uniqueness: a team key's name is unique among the team keys of its team; a personal key's name is
/// unique among its owner's personal keys in that team (compared ordinally, case-insensitively).
/// Renaming, revoking, reinstating and deleting a key each append a <see cref="VezaChangeKind.ApiKey"/> entry to the
/// change feed (<see cref="IVezaChangeFeed"/>) in the same operation; a refused change and a hash upgrade append none.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>Finds a key by id.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The key, or <see langword="null"/> when there is none (never created, or deleted).</returns>
    ValueTask<ApiKeyRecord?> FindByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a new key, unless its scope already holds <paramref name="maxInScope"/> keys of its kind: the count and the
    /// write are one atomic operation, so instances sharing the store can never exceed the quota together.
    /// </summary>
    /// <param name="key">The key to add; its id must be new.</param>
    /// <param name="maxInScope">The most keys of the key's kind its scope may hold (team keys per team, personal keys per
    /// owner and team), or <see langword="null"/> for no limit (imported keys).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see cref="ApiKeyStoreResult.Success"/>, <see cref="ApiKeyStoreResult.DuplicateName"/>,
    /// <see cref="ApiKeyStoreResult.QuotaExceeded"/>, or <see cref="ApiKeyStoreResult.Conflict"/> when the id is taken.</returns>
    ValueTask<ApiKeyStoreResult> CreateAsync(ApiKeyRecord key, int? maxInScope, CancellationToken cancellationToken);

    /// <summary>Renames a key.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="name">The new name.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound or DuplicateName.</returns>
    ValueTask<ApiKeyStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes a key (<see cref="ApiKeyStatus.Inactive"/>) and records who did it. Revoking a revoked key keeps the
    /// higher of the recorded and the new authority (with its actor), so a revoke is never weakened.
    /// </summary>
    /// <param name="id">The key id.</param>
    /// <param name="revokedBy">Who revokes it (a subject, or <c>system</c>).</param>
    /// <param name="authority">The authority they revoke it with.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    ValueTask<ApiKeyStoreResult> RevokeAsync(string id, string revokedBy, ApiKeyAuthority authority, CancellationToken cancellationToken);

    /// <summary>
    /// Reinstates a key (<see cref="ApiKeyStatus.Active"/>), atomically: only if it is active already, or was revoked
    /// with at most <paramref name="authority"/>. Clears the recorded revocation.
    /// </summary>
    /// <param name="id">The key id.</param>
    /// <param name="authority">The authority of whoever reinstates it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound, or Outranked when the key was revoked with more authority (nothing is written).</returns>
    ValueTask<ApiKeyStoreResult> ReinstateAsync(string id, ApiKeyAuthority authority, CancellationToken cancellationToken);

    /// <summary>Replaces a key's secret hash, only if it still equals <paramref name="expectedHash"/>.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="expectedHash">The hash the caller verified against.</param>
    /// <param name="newHash">The replacement hash (same secret, current parameters).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound or Conflict.</returns>
    ValueTask<ApiKeyStoreResult> ReplaceSecretHashAsync(string id, string expectedHash, string newHash, CancellationToken cancellationToken);

    /// <summary>Deletes a key permanently.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    ValueTask<ApiKeyStoreResult> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes every personal key of a user, in one team or in all teams.</summary>
    /// <param name="ownerUserId">The owner.</param>
    /// <param name="teamId">The team, or <see langword="null"/> for all teams.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ids of the deleted keys.</returns>
    ValueTask<IReadOnlyList<string>> DeletePersonalKeysAsync(string ownerUserId, string? teamId, CancellationToken cancellationToken);

    /// <summary>Lists keys matching <paramref name="query"/>, ordered by id.</summary>
    /// <param name="query">The filter and page cursor.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page.</returns>
    ValueTask<ApiKeyPage> ListAsync(ApiKeyQuery query, CancellationToken cancellationToken);

    /// <summary>Records last-use times in one batch; a time earlier than the stored one is ignored, unknown ids are skipped.</summary>
    /// <param name="lastAccess">Key id to time of last successful use.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    ValueTask RecordLastAccessAsync(IReadOnlyDictionary<string, DateTimeOffset> lastAccess, CancellationToken cancellationToken);
}
