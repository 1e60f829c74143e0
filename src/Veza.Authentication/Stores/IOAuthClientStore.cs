namespace Veza.Authentication.Stores;

/// <summary>
/// Where OAuth2 clients and their secret hashes are kept. Implementations must be safe for concurrent use, and
/// every write is atomic on its own. Every change but a hash upgrade (status, name, scopes, secrets added or removed,
/// deletion) appends a <see cref="VezaChangeKind.Client"/> entry to the change feed (<see cref="IVezaChangeFeed"/>)
/// in the same operation.
/// </summary>
public interface IOAuthClientStore
{
    /// <summary>Finds a client by its <c>client_id</c>.</summary>
    /// <param name="id">The client id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The client, or <see langword="null"/>.</returns>
    ValueTask<OAuthClientRecord?> FindByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>Adds a client, unless its team already holds <paramref name="maxClientsPerTeam"/> registrations of its
    /// kind.</summary>
    /// <param name="client">The client; its id must be new.</param>
    /// <param name="maxClientsPerTeam">The quota, checked atomically with the insert.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, DuplicateName, Conflict (id taken) or QuotaExceeded.</returns>
    ValueTask<OAuthStoreResult> CreateAsync(OAuthClientRecord client, int maxClientsPerTeam, CancellationToken cancellationToken);

    /// <summary>Renames a client.</summary>
    /// <param name="id">The client id.</param>
    /// <param name="name">The new name.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound or DuplicateName.</returns>
    ValueTask<OAuthStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken);

    /// <summary>Changes an app's name, allowed scopes and redirect settings in one write.</summary>
    /// <param name="id">The app's client id.</param>
    /// <param name="name">The new name.</param>
    /// <param name="allowedScopes">The new allowed scopes.</param>
    /// <param name="settings">The new redirect settings.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound (also for a client that is not an app) or DuplicateName.</returns>
    ValueTask<OAuthStoreResult> UpdateAppAsync(string id, string name, IReadOnlyList<string> allowedScopes, OAuthAppSettings settings, CancellationToken cancellationToken);

    /// <summary>Sets a client's status; <paramref name="revokedBy"/> is recorded when it becomes inactive and cleared
    /// when it becomes active.</summary>
    /// <param name="id">The client id.</param>
    /// <param name="status">The new status.</param>
    /// <param name="revokedBy">Who revokes it (ignored when reinstating).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    ValueTask<OAuthStoreResult> SetStatusAsync(string id, OAuthClientStatus status, string? revokedBy, CancellationToken cancellationToken);

    /// <summary>Adds a secret, unless the client already holds <see cref="OAuthClientRecord.MaxSecrets"/>.</summary>
    /// <param name="id">The client id.</param>
    /// <param name="secret">The secret's hash and dates; its id must be new for the client.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound or QuotaExceeded.</returns>
    ValueTask<OAuthStoreResult> AddSecretAsync(string id, OAuthClientSecretRecord secret, CancellationToken cancellationToken);

    /// <summary>Removes one secret of a client.</summary>
    /// <param name="id">The client id.</param>
    /// <param name="secretId">The secret id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, or NotFound when the client or the secret does not exist.</returns>
    ValueTask<OAuthStoreResult> RemoveSecretAsync(string id, string secretId, CancellationToken cancellationToken);

    /// <summary>Replaces a secret's hash, only if it still equals <paramref name="expectedHash"/> (hash upgrades).</summary>
    /// <param name="id">The client id.</param>
    /// <param name="secretId">The secret id.</param>
    /// <param name="expectedHash">The hash the caller verified against.</param>
    /// <param name="newHash">The new hash of the same secret.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound or Conflict.</returns>
    ValueTask<OAuthStoreResult> ReplaceSecretHashAsync(string id, string secretId, string expectedHash, string newHash, CancellationToken cancellationToken);

    /// <summary>Deletes a client permanently.</summary>
    /// <param name="id">The client id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    ValueTask<OAuthStoreResult> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists clients, ordered by id.</summary>
    /// <param name="query">The filter and cursor.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page.</returns>
    ValueTask<OAuthClientPage> ListAsync(OAuthClientQuery query, CancellationToken cancellationToken);

    /// <summary>Records last-use times in one batch; earlier times than the stored ones and unknown ids are ignored.</summary>
    /// <param name="lastUse">Client id to time of last use.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    ValueTask RecordLastUseAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUse, CancellationToken cancellationToken);
}
