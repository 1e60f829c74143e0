namespace Veza.Authentication.Stores.InMemory;

/// <summary>
/// An <see cref="ISigningKeyStore"/> in process memory. Keys are lost when the process ends, so tokens signed before
/// a restart are refused after it: for development, tests and samples only.
/// </summary>
public sealed class InMemorySigningKeyStore : ISigningKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SigningKeyRecord> _keys = new(StringComparer.Ordinal);
    private readonly InMemoryChangeFeed _changes;

    /// <summary>Creates an empty store that records added and removed keys in <paramref name="changes"/>.</summary>
    /// <param name="changes">The change feed every instance sharing this store reads.</param>
    public InMemorySigningKeyStore(InMemoryChangeFeed changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<SigningKeyRecord>>([.. _keys.Values]);
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> AddAsync(SigningKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_keys.TryAdd(key.Id, key))
            {
                return ValueTask.FromResult(OAuthStoreResult.Conflict);
            }

            _changes.Append(VezaChangeKind.SigningKeys, key.Id);
            return ValueTask.FromResult(OAuthStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var expired = _keys.Values.Where(k => k.UnpublishAt <= now).Select(k => k.Id).ToList();
            expired.ForEach(id => _keys.Remove(id));
            _changes.Append(VezaChangeKind.SigningKeys, expired);
            return ValueTask.FromResult(expired.Count);
        }
    }
}

/// <summary>An <see cref="ITokenRevocationStore"/> in process memory; not shared between instances.</summary>
public sealed class InMemoryTokenRevocationStore : ITokenRevocationStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RevokedTokenRecord> _revoked = new(StringComparer.Ordinal);
    private readonly InMemoryChangeFeed _changes;

    /// <summary>Creates an empty store that records revocations in <paramref name="changes"/>.</summary>
    /// <param name="changes">The change feed every instance sharing this store reads.</param>
    public InMemoryTokenRevocationStore(InMemoryChangeFeed changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes;
    }

    /// <inheritdoc />
    public ValueTask AddAsync(RevokedTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_revoked.TryAdd(token.TokenId, token))
            {
                _changes.Append(VezaChangeKind.RevokedToken, token.TokenId);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RevokedTokenRecord>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<RevokedTokenRecord>>(
                [.. _revoked.Values.Where(r => r.ExpiresAt > now)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var expired = _revoked.Values.Where(r => r.ExpiresAt <= now).Select(r => r.TokenId).ToList();
            expired.ForEach(id => _revoked.Remove(id));
            return ValueTask.FromResult(expired.Count);
        }
    }
}

/// <summary>An <see cref="IVezaSettingsStore"/> in process memory; not shared between instances.</summary>
public sealed class InMemorySettingsStore : IVezaSettingsStore
{
    private readonly Lock _lock = new();
    private VezaSignInSettings _settings = new();
    private readonly InMemoryChangeFeed _changes;

    /// <summary>Creates an empty store that records changes in <paramref name="changes"/>.</summary>
    /// <param name="changes">The change feed every instance sharing this store reads.</param>
    public InMemorySettingsStore(InMemoryChangeFeed changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes;
    }

    /// <inheritdoc />
    public ValueTask<VezaSignInSettings> GetAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_settings);
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> UpdateAsync(VezaSignInSettings settings, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_settings.Version != expectedVersion)
            {
                return ValueTask.FromResult(OAuthStoreResult.Conflict);
            }

            _settings = settings with { Version = expectedVersion + 1 };
            _changes.Append(VezaChangeKind.Settings, string.Empty);
            return ValueTask.FromResult(OAuthStoreResult.Success);
        }
    }
}
