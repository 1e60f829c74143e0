namespace Veza.Authentication.Stores.InMemory;

/// <summary>
/// An <see cref="ISigningKeyStore"/> in process memory. Keys are lost when the process ends, so tokens signed before
/// a restart are refused after it: for development, tests and samples only.
/// </summary>
public sealed class InMemorySigningKeyStore : ISigningKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SigningKeyRecord> _keys = new(StringComparer.Ordinal);

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
            return ValueTask.FromResult(_keys.TryAdd(key.Id, key) ? OAuthStoreResult.Success : OAuthStoreResult.Conflict);
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
            return ValueTask.FromResult(expired.Count);
        }
    }
}

/// <summary>An <see cref="ITokenRevocationStore"/> in process memory; not shared between instances.</summary>
public sealed class InMemoryTokenRevocationStore : ITokenRevocationStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RevokedTokenRecord> _revoked = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask AddAsync(RevokedTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _revoked.TryAdd(token.TokenId, token);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RevokedTokenRecord>> ListAsync(DateTimeOffset? since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<RevokedTokenRecord>>(
                [.. _revoked.Values.Where(r => r.ExpiresAt > now && (since is null || r.RevokedAt >= since))]);
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
            return ValueTask.FromResult(OAuthStoreResult.Success);
        }
    }
}
