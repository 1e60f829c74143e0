using System.Globalization;
using System.Text;
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

    /// <summary>What a name must be, for error messages (keys, clients and apps share the rule).</summary>
    internal const string NameRule =
        "1 to 128 characters, without control, format (zero-width, bidirectional) or line-separator characters or surrounding spaces";

    private const string InvalidNameMessage = "The name must be " + NameRule + ".";

    private readonly IApiKeyStore _store;
    private readonly StoredSecrets _secrets;
    private readonly ApiKeyVerifier _verifier;
    private readonly ApiKeyUsageRecorder _usage;
    private readonly IVezaAuditSink _audit;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly int _maxPersonalKeys;
    private readonly int _maxTeamKeys;

    internal ApiKeyService(
        IApiKeyStore store,
        StoredSecrets secrets,
        ApiKeyVerifier verifier,
        ApiKeyUsageRecorder usage,
        IVezaAuditSink audit,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time)
    {
        _store = store;
        _secrets = secrets;
        _verifier = verifier;
        _usage = usage;
        _audit = audit;
        _time = time;
        _prefix = options.Value.ApiKeys.Prefix;
        _maxPersonalKeys = options.Value.ApiKeys.MaxPersonalKeysPerUserAndTeam;
        _maxTeamKeys = options.Value.ApiKeys.MaxTeamKeysPerTeam;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is acceptable as a key name: well-formed UTF-16, 1 to 128 characters once
    /// normalized (Unicode NFC), no control, format (zero-width, bidirectional overrides) or line and paragraph
    /// separator characters, no leading or trailing white space. Names are stored normalized, so two names that
    /// look the same are the same name.
    /// </summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> when it is acceptable.</returns>
    public static bool IsValidName(string? name) => TryNormalizeName(name, out _);

    internal static bool TryNormalizeName(string? name, out string normalized)
    {
        normalized = string.Empty;
        if (string.IsNullOrWhiteSpace(name) || name.Length > 4 * MaxNameLength)
        {
            return false;
        }

        var text = name.AsSpan();
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.OtherNotAssigned:
                    return false;
            }

            text = text[used..];
        }

        var result = name.Normalize(NormalizationForm.FormC);
        if (result.Length > MaxNameLength || result.Trim().Length != result.Length)
        {
            return false;
        }

        normalized = result;
        return true;
    }

    /// <summary>Creates a key with a new random secret.</summary>
    /// <param name="kind">Personal or team key.</param>
    /// <param name="name">The name (see <see cref="IsValidName"/>).</param>
    /// <param name="teamId">The team the key is scoped to.</param>
    /// <param name="ownerUserId">For a personal key, the user it acts as; must be <see langword="null"/> for a team key.</param>
    /// <param name="createdByUserId">Who created it, for the record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored key and its key string, or why it was not stored (DuplicateName, or QuotaExceeded when the
    /// owner already holds <see cref="ApiKeyOptions.MaxPersonalKeysPerUserAndTeam"/> keys in the team, or the team
    /// <see cref="ApiKeyOptions.MaxTeamKeysPerTeam"/> team keys).</returns>
    public Task<ApiKeyCreation> CreateAsync(ApiKeyKind kind, string name, string teamId, string? ownerUserId, string? createdByUserId,
        CancellationToken cancellationToken)
        => CreateAsync(kind, name, teamId, ownerUserId, createdByUserId, VezaAuditActor.System, cancellationToken);

    /// <summary>Creates a key, as <see cref="CreateAsync(ApiKeyKind, string, string, string?, string?, CancellationToken)"/>,
    /// and audits it as done by <paramref name="actor"/>.</summary>
    /// <param name="kind">Personal or team key.</param>
    /// <param name="name">The name (see <see cref="IsValidName"/>).</param>
    /// <param name="teamId">The team the key is scoped to.</param>
    /// <param name="ownerUserId">For a personal key, the user it acts as.</param>
    /// <param name="createdByUserId">Who created it, for the record.</param>
    /// <param name="actor">Who asks, for the audit trail.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored key and its key string, or why it was not stored.</returns>
    public async Task<ApiKeyCreation> CreateAsync(ApiKeyKind kind, string name, string teamId, string? ownerUserId, string? createdByUserId,
        VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var created = await StoreNewAsync(ApiKeyFormat.Generate(_prefix), kind, name, teamId, ownerUserId, createdByUserId, cancellationToken).ConfigureAwait(false);
        await AuditAsync(actor, "api_key.create", created.Result, created.Key?.Id, teamId, cancellationToken).ConfigureAwait(false);
        return created;
    }

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
    /// <returns>The stored key, or why it was not stored (Conflict when the key id is taken). Quotas do not apply to imports.</returns>
    public Task<ApiKeyCreation> ImportAsync(string accessKey, ApiKeyKind kind, string name, string teamId, string? ownerUserId,
        CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(accessKey, _prefix, out _, out _))
        {
            throw new ArgumentException("The value is not a well-formed API key for the configured prefix.", nameof(accessKey));
        }

        return StoreNewAsync(accessKey, kind, name, teamId, ownerUserId, ownerUserId, cancellationToken, enforceQuota: false);
    }

    private async Task<ApiKeyCreation> StoreNewAsync(string accessKey, ApiKeyKind kind, string name, string teamId, string? ownerUserId,
        string? createdByUserId, CancellationToken cancellationToken, bool enforceQuota = true)
    {
        if (!TryNormalizeName(name, out name))
        {
            throw new ArgumentException(InvalidNameMessage, nameof(name));
        }

        ArgumentException.ThrowIfNullOrEmpty(teamId);
        if ((kind == ApiKeyKind.Personal) != (ownerUserId is not null))
        {
            throw new ArgumentException("A personal key needs an owner and a team key must not have one.", nameof(ownerUserId));
        }

        ApiKeyFormat.TryParse(accessKey, _prefix, out var keyId, out var secret);
        var hash = await _secrets.HashAsync(secret.ToString(), cancellationToken).ConfigureAwait(false);
        var now = TruncateToMilliseconds(_time.GetUtcNow());
        var key = new ApiKeyRecord
        {
            Id = keyId,
            Kind = kind,
            Name = name,
            TeamId = teamId,
            OwnerUserId = ownerUserId,
            CreatedByUserId = createdByUserId,
            SecretHash = hash,
            Status = ApiKeyStatus.Active,
            CreatedAt = now,
            LastAccessAt = now,
        };
        // The quota is the store's to enforce, in the same operation as the write, so instances sharing it agree.
        int? limit = enforceQuota ? (kind == ApiKeyKind.Personal ? _maxPersonalKeys : _maxTeamKeys) : null;
        var result = await _store.CreateAsync(key, limit, cancellationToken).ConfigureAwait(false);
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
    public Task<ApiKeyStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
        => RenameAsync(id, name, VezaAuditActor.System, cancellationToken);

    /// <summary>Renames a key and audits it as done by <paramref name="actor"/>.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="name">The new name (see <see cref="IsValidName"/>).</param>
    /// <param name="actor">Who asks, for the audit trail.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound or DuplicateName.</returns>
    public async Task<ApiKeyStoreResult> RenameAsync(string id, string name, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!TryNormalizeName(name, out name))
        {
            throw new ArgumentException(InvalidNameMessage, nameof(name));
        }

        var team = await TeamOfAsync(id, cancellationToken).ConfigureAwait(false);
        ApiKeyStoreResult result;
        try
        {
            result = await _store.RenameAsync(id, name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever the store answered (a write can commit and then time out), the cache follows.
            _verifier.Evict(id);
        }

        await AuditAsync(actor, "api_key.rename", result, id, team, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Revokes a key (<see cref="ApiKeyStatus.Inactive"/>) and records who did it, with which authority.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="revokedBy">Who revokes it (a subject such as <c>user:42</c>, or <c>system</c>).</param>
    /// <param name="authority">Their authority over the key; only someone with at least as much may reinstate it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound. From the next request that starts after this returns, the key is refused.</returns>
    public Task<ApiKeyStoreResult> RevokeAsync(string id, string revokedBy, ApiKeyAuthority authority, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(revokedBy);
        return RevokeAsync(id, authority, new VezaAuditActor { Subject = revokedBy }, cancellationToken);
    }

    /// <summary>Revokes a key as <paramref name="actor"/> (recorded as who revoked it) and audits it.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="authority">The actor's authority over the key; only someone with at least as much may reinstate it.</param>
    /// <param name="actor">Who revokes it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound. From the next request that starts after this returns, the key is refused.</returns>
    public async Task<ApiKeyStoreResult> RevokeAsync(string id, ApiKeyAuthority authority, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var team = await TeamOfAsync(id, cancellationToken).ConfigureAwait(false);
        ApiKeyStoreResult result;
        try
        {
            result = await _store.RevokeAsync(id, actor.Subject, authority, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _verifier.Evict(id);
        }

        await AuditAsync(actor, "api_key.revoke", result, id, team, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Reinstates a key (<see cref="ApiKeyStatus.Active"/>), unless it was revoked with more authority.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="authority">The authority of whoever reinstates it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound, or Outranked when the revoke outranks <paramref name="authority"/>.</returns>
    public Task<ApiKeyStoreResult> ReinstateAsync(string id, ApiKeyAuthority authority, CancellationToken cancellationToken)
        => ReinstateAsync(id, authority, VezaAuditActor.System, cancellationToken);

    /// <summary>Reinstates a key as <paramref name="actor"/>, unless it was revoked with more authority, and audits it.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="authority">The actor's authority over the key.</param>
    /// <param name="actor">Who reinstates it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound, or Outranked when the revoke outranks <paramref name="authority"/>.</returns>
    public async Task<ApiKeyStoreResult> ReinstateAsync(string id, ApiKeyAuthority authority, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var team = await TeamOfAsync(id, cancellationToken).ConfigureAwait(false);
        ApiKeyStoreResult result;
        try
        {
            result = await _store.ReinstateAsync(id, authority, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _verifier.Evict(id);
        }

        await AuditAsync(actor, "api_key.reinstate", result, id, team, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Deletes a key permanently.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    public Task<ApiKeyStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
        => DeleteAsync(id, VezaAuditActor.System, cancellationToken);

    /// <summary>Deletes a key permanently and audits it as done by <paramref name="actor"/>.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="actor">Who deletes it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success or NotFound.</returns>
    public async Task<ApiKeyStoreResult> DeleteAsync(string id, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var team = await TeamOfAsync(id, cancellationToken).ConfigureAwait(false);
        ApiKeyStoreResult result;
        try
        {
            result = await _store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _usage.Forget(id);
            _verifier.Evict(id);
        }

        await AuditAsync(actor, "api_key.delete", result, id, team, cancellationToken).ConfigureAwait(false);
        return result;
    }

    // The key's team, for the audit trail; a key that cannot be read has none.
    private async ValueTask<string?> TeamOfAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return (await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false))?.TeamId;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private ValueTask AuditAsync(VezaAuditActor actor, string action, ApiKeyStoreResult result, string? keyId, string? teamId, CancellationToken cancellationToken)
    {
        var outcome = result switch
        {
            ApiKeyStoreResult.Success => "success",
            ApiKeyStoreResult.DuplicateName => "duplicate_name",
            ApiKeyStoreResult.NotFound => "not_found",
            ApiKeyStoreResult.Outranked => "permission_denied",
            ApiKeyStoreResult.QuotaExceeded => "quota_exceeded",
            _ => "conflict",
        };
        return _audit.WriteAsync(actor.Event(action, outcome, "api_key", keyId, teamId, _time.GetUtcNow()), cancellationToken);
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

        // The keys about to go are read first, so that they are evicted even if the delete commits and then fails.
        var doomed = new List<string>();
        var query = new ApiKeyQuery { Kind = ApiKeyKind.Personal, OwnerUserId = userId, TeamId = teamId, PageSize = 1000 };
        ApiKeyPage page;
        do
        {
            page = await _store.ListAsync(query, cancellationToken).ConfigureAwait(false);
            doomed.AddRange(page.Items.Select(k => k.Id));
            query = query with { AfterId = page.Items.Count > 0 ? page.Items[^1].Id : null };
        }
        while (page.HasMore && page.Items.Count > 0);

        IReadOnlyList<string> deleted;
        try
        {
            deleted = await _store.DeletePersonalKeysAsync(userId, teamId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var id in doomed)
            {
                _usage.Forget(id);
                _verifier.Evict(id);
            }
        }

        foreach (var id in deleted)
        {
            _usage.Forget(id);
            _verifier.Evict(id);
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

    private ApiKeyRecord WithPendingUse(ApiKeyRecord key)
        => _usage.GetPending(key.Id) is { } at && at > key.LastAccessAt ? key with { LastAccessAt = at } : key;

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value)
        => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
