namespace Veza.Authentication.Stores.InMemory;

/// <summary>
/// An <see cref="IApiKeyStore"/> that keeps keys in process memory. For development, tests and samples:
/// keys are lost when the process ends and are not shared between instances.
/// </summary>
public sealed class InMemoryApiKeyStore : IApiKeyStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);
    private readonly InMemoryChangeFeed _changes;

    /// <summary>Creates an empty store that records its changes in <paramref name="changes"/>.</summary>
    /// <param name="changes">The change feed every instance sharing this store reads.</param>
    public InMemoryApiKeyStore(InMemoryChangeFeed changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes;
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyRecord?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_keys.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyStoreResult> CreateAsync(ApiKeyRecord key, int? maxInScope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_keys.ContainsKey(key.Id))
            {
                return ValueTask.FromResult(ApiKeyStoreResult.Conflict);
            }

            if (NameTaken(key, key.Name))
            {
                return ValueTask.FromResult(ApiKeyStoreResult.DuplicateName);
            }

            if (maxInScope is { } limit
                && _keys.Values.Count(k => k.Kind == key.Kind && k.TeamId == key.TeamId && k.OwnerUserId == key.OwnerUserId) >= limit)
            {
                return ValueTask.FromResult(ApiKeyStoreResult.QuotaExceeded);
            }

            _keys.Add(key.Id, key);
            return ValueTask.FromResult(ApiKeyStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_keys.TryGetValue(id, out var key))
            {
                return ValueTask.FromResult(ApiKeyStoreResult.NotFound);
            }

            if (NameTaken(key, name))
            {
                return ValueTask.FromResult(ApiKeyStoreResult.DuplicateName);
            }

            _keys[id] = key with { Name = name };
            _changes.Append(VezaChangeKind.ApiKey, id);
            return ValueTask.FromResult(ApiKeyStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyStoreResult> RevokeAsync(string id, string revokedBy, ApiKeyAuthority authority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revokedBy);
        return Update(id, key => key.Status == ApiKeyStatus.Inactive && key.RevokedAuthority >= authority
            ? key
            : key with { Status = ApiKeyStatus.Inactive, RevokedBy = revokedBy, RevokedAuthority = authority }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyStoreResult> ReinstateAsync(string id, ApiKeyAuthority authority, CancellationToken cancellationToken)
        => Update(id, key => key.Status == ApiKeyStatus.Active || key.RevokedAuthority <= authority
            ? key with { Status = ApiKeyStatus.Active, RevokedBy = null, RevokedAuthority = ApiKeyAuthority.None }
            : null, cancellationToken, ApiKeyStoreResult.Outranked);

    /// <inheritdoc />
    public ValueTask<ApiKeyStoreResult> ReplaceSecretHashAsync(string id, string expectedHash, string newHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expectedHash);
        ArgumentNullException.ThrowIfNull(newHash);
        // The same secret under a stronger hash: nothing any instance remembers changes, so no feed entry.
        return Update(id, key => key.SecretHash == expectedHash ? key with { SecretHash = newHash } : null, cancellationToken, announce: false);
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_keys.Remove(id))
            {
                return ValueTask.FromResult(ApiKeyStoreResult.NotFound);
            }

            _changes.Append(VezaChangeKind.ApiKey, id);
            return ValueTask.FromResult(ApiKeyStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> DeletePersonalKeysAsync(string ownerUserId, string? teamId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ownerUserId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var ids = _keys.Values
                .Where(k => k.Kind == ApiKeyKind.Personal && k.OwnerUserId == ownerUserId && (teamId is null || k.TeamId == teamId))
                .Select(k => k.Id)
                .ToList();
            foreach (var id in ids)
            {
                _keys.Remove(id);
            }

            _changes.Append(VezaChangeKind.ApiKey, ids);

            return ValueTask.FromResult<IReadOnlyList<string>>(ids);
        }
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyPage> ListAsync(ApiKeyQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var size = Math.Clamp(query.PageSize, 1, 1000);
        var contains = string.IsNullOrEmpty(query.NameContains) ? null : query.NameContains.ToUpperInvariant();
        lock (_lock)
        {
            var matches = _keys.Values
                .Where(k => (query.AfterId is null || string.CompareOrdinal(k.Id, query.AfterId) > 0)
                    && (query.Kind is null || k.Kind == query.Kind)
                    && (query.TeamId is null || k.TeamId == query.TeamId)
                    && (query.OwnerUserId is null || k.OwnerUserId == query.OwnerUserId)
                    && (query.Status is null || k.Status == query.Status)
                    && (query.Name is null || k.Name == query.Name)
                    && (contains is null || k.Name.ToUpperInvariant().Contains(contains, StringComparison.Ordinal)))
                .Take(size + 1)
                .ToList();
            var hasMore = matches.Count > size;
            if (hasMore)
            {
                matches.RemoveAt(size);
            }

            return ValueTask.FromResult(new ApiKeyPage(matches, hasMore));
        }
    }

    /// <inheritdoc />
    public ValueTask RecordLastAccessAsync(IReadOnlyDictionary<string, DateTimeOffset> lastAccess, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastAccess);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var (id, at) in lastAccess)
            {
                if (_keys.TryGetValue(id, out var key) && at > key.LastAccessAt)
                {
                    _keys[id] = key with { LastAccessAt = at };
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask<ApiKeyStoreResult> Update(string id, Func<ApiKeyRecord, ApiKeyRecord?> change, CancellationToken cancellationToken,
        ApiKeyStoreResult refused = ApiKeyStoreResult.Conflict, bool announce = true)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_keys.TryGetValue(id, out var key))
            {
                return ValueTask.FromResult(ApiKeyStoreResult.NotFound);
            }

            var changed = change(key);
            if (changed is null)
            {
                return ValueTask.FromResult(refused);
            }

            _keys[id] = changed;
            if (announce)
            {
                _changes.Append(VezaChangeKind.ApiKey, id);
            }

            return ValueTask.FromResult(ApiKeyStoreResult.Success);
        }
    }

    private bool NameTaken(ApiKeyRecord key, string name)
        => _keys.Values.Any(k => k.Id != key.Id && k.Kind == key.Kind && k.TeamId == key.TeamId
            && (key.Kind == ApiKeyKind.Team || k.OwnerUserId == key.OwnerUserId)
            && string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));
}
