using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>The outcome of creating or importing a key.</summary>
/// <param name="Result">Whether the key was stored.</param>
/// <param name="Key">The stored key, on success.</param>
/// <param name="AccessKey">The full key string, on success. It is the only copy: show it once.</param>
public sealed record ApiKeyCreation(ApiKeyStoreResult Result, ApiKeyRecord? Key, string? AccessKey);

/// <summary>
/// Issues and changes API keys. Every change evicts the key's cached checks on this instance at once, so a
/// revoked, renamed or deleted key is refused from the next request on. The management endpoints use it; a host
/// calls it directly to seed keys and to tell the library when a user leaves a team or the platform.
/// </summary>
public sealed class ApiKeyService
{
    /// <summary>The longest key name accepted.</summary>
    public const int MaxNameLength = 128;

    private const string InvalidNameMessage = "The name must be 1 to 128 characters without control characters or surrounding spaces.";

    private readonly IApiKeyStore _store;
    private readonly ISecretHasher _hasher;
    private readonly ApiKeyVerifier _verifier;
    private readonly ApiKeyUsageRecorder _usage;
    private readonly IVezaAuditSink _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiKeyService> _logger;
    private readonly string _prefix;

    internal ApiKeyService(
        IApiKeyStore store,
        ISecretHasher hasher,
        ApiKeyVerifier verifier,
        ApiKeyUsageRecorder usage,
        IVezaAuditSink audit,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time,
        ILogger<ApiKeyService> logger)
    {
        _store = store;
        _hasher = hasher;
        _verifier = verifier;
        _usage = usage;
        _audit = audit;
        _time = time;
        _logger = logger;
        _prefix = options.Value.ApiKeys.Prefix;
    }

    /// <summary>Whether <paramref name="name"/> is acceptable as a key name: 1 to 128 characters, no control characters,
    /// no leading or trailing white space.</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> when it is acceptable.</returns>
    public static bool IsValidName(string? name)
        => !string.IsNullOrWhiteSpace(name) && name.Length <= MaxNameLength && name.Trim().Length == name.Length
           && !name.Any(char.IsControl);

    /// <summary>Creates a key with a new random secret.</summary>
    /// <param name="kind">Personal or team key.</param>
    /// <param name="name">The name (see <see cref="IsValidName"/>).</param>
    /// <param name="teamId">The team the key is scoped to.</param>
    /// <param name="ownerUserId">For a personal key, the user it acts as; must be <see langword="null"/> for a team key.</param>
    /// <param name="createdByUserId">Who created it, for the record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored key and its key string, or why it was not stored.</returns>
    public Task<ApiKeyCreation> CreateAsync(ApiKeyKind kind, string name, string teamId, string? ownerUserId, string? createdByUserId,
        CancellationToken cancellationToken)
        => StoreNewAsync(ApiKeyFormat.Generate(_prefix), kind, name, teamId, ownerUserId, createdByUserId, cancellationToken);

    /// <summary>
    /// Stores a key string minted elsewhere (for example with <see cref="ApiKeyFormat.Generate(string)"/> for seed data).
    /// The string must carry this library's prefix and a valid checksum; only its hash is kept.
    /// </summary>
    /// <param name="accessKey">The full key string.</param>
    /// <param name="kind">Personal or team key.</param>
    /// <param name="name">The name.</param>
    /// <param name="teamId">The team the key is scoped to.</param>
    /// <param name="ownerUserId">For a personal key, the user it acts as.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored key, or why it was not stored (Conflict when the key id is taken).</returns>
    public Task<ApiKeyCreation> ImportAsync(string accessKey, ApiKeyKind kind, string name, string teamId, string? ownerUserId,
        CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(accessKey, _prefix, out _, out _))
        {
            throw new ArgumentException("The value is not a well-formed API key for the configured prefix.", nameof(accessKey));
        }

        return StoreNewAsync(accessKey, kind, name, teamId, ownerUserId, ownerUserId, cancellationToken);
    }

    private async Task<ApiKeyCreation> StoreNewAsync(string accessKey, ApiKeyKind kind, string name, string teamId, string? ownerUserId,
        string? createdByUserId, CancellationToken cancellationToken)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException(InvalidNameMessage, nameof(name));
        }

        ArgumentException.ThrowIfNullOrEmpty(teamId);
        if ((kind == ApiKeyKind.Personal) != (ownerUserId is not null))
        {
            throw new ArgumentException("A personal key needs an owner and a team key must not have one.", nameof(ownerUserId));
        }

        ApiKeyFormat.TryParse(accessKey, _prefix, out var keyId, out var secret);
        var now = TruncateToMilliseconds(_time.GetUtcNow());
        var key = new ApiKeyRecord
        {
            Id = keyId,
            Kind = kind,
            Name = name,
            TeamId = teamId,
            OwnerUserId = ownerUserId,
            CreatedByUserId = createdByUserId,
            SecretHash = _hasher.Hash(secret),
            Status = ApiKeyStatus.Active,
            CreatedAt = now,
            LastAccessAt = now,
        };
        var result = await _store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        return result == ApiKeyStoreResult.Success ? new ApiKeyCreation(result, key, accessKey) : new ApiKeyCreation(result, null, null);
    }

    /// <summary>Finds a key, with its most recent use time even if not yet written to the store.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The key, or <see langword="null"/>.</returns>
    public async ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!ApiKeyFormat.IsValidKeyId(id))
        {
            return null;
        }

        var key = await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
        return key is null ? null : WithPendingUse(key);
    }

    /// <summary>Lists keys, with their most recent use times.</summary>
    /// <param name="query">The filter and page cursor.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page.</returns>
    public async ValueTask<ApiKeyPage> ListAsync(ApiKeyQuery query, CancellationToken cancellationToken)
    {
        var page = await _store.ListAsync(query, cancellationToken).ConfigureAwait(false);
        return page with { Items = page.Items.Select(WithPendingUse).ToList() };
    }

    /// <summary>Renames a key.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="name">The new name (see <see cref="IsValidName"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound or DuplicateName.</returns>
    public async Task<ApiKeyStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException(InvalidNameMessage, nameof(name));
        }

        var result = await _store.RenameAsync(id, name, cancellationToken).ConfigureAwait(false);
        await EvictAsync(id).ConfigureAwait(false);
        return result;
    }

    /// <summary>Revokes (<see cref="ApiKeyStatus.Inactive"/>) or reinstates (<see cref="ApiKeyStatus.Active"/>) a key.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="status">The new status.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    public async Task<ApiKeyStoreResult> SetStatusAsync(string id, ApiKeyStatus status, CancellationToken cancellationToken)
    {
        var result = await _store.SetStatusAsync(id, status, cancellationToken).ConfigureAwait(false);
        await EvictAsync(id).ConfigureAwait(false);
        return result;
    }

    /// <summary>Deletes a key permanently.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    public async Task<ApiKeyStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var result = await _store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        _usage.Forget(id);
        await EvictAsync(id).ConfigureAwait(false);
        return result;
    }

    /// <summary>Call when a user leaves a team: deletes the personal keys they created in that team.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="teamId">The team id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ids of the deleted keys.</returns>
    public Task<IReadOnlyList<string>> UserRemovedFromTeamAsync(string userId, string teamId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(teamId);
        return DeletePersonalKeysAsync(userId, teamId, "user.removed_from_team", cancellationToken);
    }

    /// <summary>Call when a user is removed from the platform: deletes all their personal keys.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ids of the deleted keys.</returns>
    public Task<IReadOnlyList<string>> UserRemovedAsync(string userId, CancellationToken cancellationToken)
        => DeletePersonalKeysAsync(userId, null, "user.removed", cancellationToken);

    /// <summary>Writes pending last-use times to the store now instead of at the next interval.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the times are stored (or kept for the next try).</returns>
    public Task FlushLastAccessAsync(CancellationToken cancellationToken) => _usage.FlushAsync(cancellationToken);

    private async Task<IReadOnlyList<string>> DeletePersonalKeysAsync(string userId, string? teamId, string action, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var deleted = await _store.DeletePersonalKeysAsync(userId, teamId, cancellationToken).ConfigureAwait(false);
        foreach (var id in deleted)
        {
            _usage.Forget(id);
            await EvictAsync(id).ConfigureAwait(false);
            await _audit.WriteAsync(new VezaAuditEvent
            {
                Action = action + ".api_key_deleted",
                Outcome = "success",
                Actor = "system",
                TargetKind = "api_key",
                TargetId = id,
                TeamId = teamId,
                Timestamp = _time.GetUtcNow(),
            }, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    private async Task EvictAsync(string id)
    {
        try
        {
            // Not cancellable: once the store has changed, the cache must follow.
            await _verifier.EvictAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.EvictionFailed(_logger, ex, id);
        }
    }

    private ApiKeyRecord WithPendingUse(ApiKeyRecord key)
        => _usage.GetPending(key.Id) is { } at && at > key.LastAccessAt ? key with { LastAccessAt = at } : key;

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value)
        => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
