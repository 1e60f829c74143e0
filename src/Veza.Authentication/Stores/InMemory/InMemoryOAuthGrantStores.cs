namespace Veza.Authentication.Stores.InMemory;

/// <summary>
/// An <see cref="IOAuthGrantStore"/> in process memory; not shared between instances, lost when the process ends. For
/// development, tests and samples.
/// </summary>
public sealed class InMemoryOAuthGrantStore : IOAuthGrantStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OAuthGrantRecord> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AuthorizationCodeRecord> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshTokenRecord> _refreshTokens = new(StringComparer.Ordinal);
    private readonly InMemoryChangeFeed _changes;

    /// <summary>Creates an empty store that records revoked grants in <paramref name="changes"/>.</summary>
    /// <param name="changes">The change feed every instance sharing this store reads.</param>
    public InMemoryOAuthGrantStore(InMemoryChangeFeed changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes;
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> AddCodeAsync(AuthorizationCodeRecord code, int maxPendingPerUserAndApp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingPerUserAndApp, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_codes.ContainsKey(code.Hash))
            {
                return ValueTask.FromResult(OAuthStoreResult.Conflict);
            }

            var mine = _codes.Values.Where(c => c.UserId == code.UserId && c.AppId == code.AppId).ToList();
            foreach (var expired in mine.Where(c => c.ExpiresAt <= now))
            {
                _codes.Remove(expired.Hash);
            }

            var pending = mine.Where(c => c.ExpiresAt > now && c.RedeemedAt is null).OrderBy(c => c.ExpiresAt).ToList();
            for (var i = 0; i <= pending.Count - maxPendingPerUserAndApp; i++)
            {
                _codes.Remove(pending[i].Hash);
            }

            _codes.Add(code.Hash, code with { Scopes = [.. code.Scopes] });
            return ValueTask.FromResult(OAuthStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<AuthorizationCodeRecord?> FindCodeAsync(string codeHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_codes.TryGetValue(codeHash, out var code) && code.ExpiresAt > now ? code : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<CodeRedemption> RedeemCodeAsync(string codeHash, string appId, DateTimeOffset now, DateTimeOffset grantExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        ArgumentNullException.ThrowIfNull(appId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_codes.TryGetValue(codeHash, out var code) || code.ExpiresAt <= now || code.AppId != appId)
            {
                return ValueTask.FromResult(new CodeRedemption(CodeRedemptionStatus.NotFound, null));
            }

            if (code.RedeemedAt is not null || _grants.ContainsKey(code.GrantId))
            {
                return ValueTask.FromResult(new CodeRedemption(CodeRedemptionStatus.AlreadyRedeemed, code));
            }

            _codes[codeHash] = code with { RedeemedAt = now };
            _grants.Add(code.GrantId, code.StartGrant(now, grantExpiresAt));
            return ValueTask.FromResult(new CodeRedemption(CodeRedemptionStatus.Redeemed, code));
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthGrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grantId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_grants.GetValueOrDefault(grantId));
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> AddRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_grants.ContainsKey(token.GrantId))
            {
                return ValueTask.FromResult(OAuthStoreResult.NotFound);
            }

            return ValueTask.FromResult(_refreshTokens.TryAdd(token.Hash, token) ? OAuthStoreResult.Success : OAuthStoreResult.Conflict);
        }
    }

    /// <inheritdoc />
    public ValueTask<RefreshTokenRecord?> FindRefreshTokenAsync(string tokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenHash);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_refreshTokens.GetValueOrDefault(tokenHash));
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> RotateRefreshTokenAsync(string currentHash, RefreshTokenRecord successor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(currentHash);
        ArgumentNullException.ThrowIfNull(successor);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_refreshTokens.TryGetValue(currentHash, out var current) || current.GrantId != successor.GrantId)
            {
                return ValueTask.FromResult(OAuthStoreResult.NotFound);
            }

            if (current.RotatedAt is not null || _refreshTokens.ContainsKey(successor.Hash))
            {
                return ValueTask.FromResult(OAuthStoreResult.Conflict);
            }

            _refreshTokens[currentHash] = current with { RotatedAt = now };
            _refreshTokens.Add(successor.Hash, successor);
            return ValueTask.FromResult(OAuthStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> RevokeGrantsAsync(OAuthGrantFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        cancellationToken.ThrowIfCancellationRequested();
        if (filter.GrantId is null && filter.AppId is null)
        {
            throw new ArgumentException("Name a grant or an app.", nameof(filter));
        }

        lock (_lock)
        {
            var revoked = _grants.Values
                .Where(g => g.RevokedAt is null
                    && (filter.GrantId is null || g.Id == filter.GrantId)
                    && (filter.AppId is null || g.AppId == filter.AppId)
                    && (filter.UserId is null || g.UserId == filter.UserId))
                .Select(g => g.Id)
                .ToList();
            foreach (var id in revoked)
            {
                _grants[id] = _grants[id] with { RevokedAt = now };
            }

            _changes.Append(VezaChangeKind.Grant, revoked);

            if (filter.AppId is not null)
            {
                foreach (var code in _codes.Values.Where(c => c.RedeemedAt is null && c.AppId == filter.AppId
                    && (filter.UserId is null || c.UserId == filter.UserId) && (filter.GrantId is null || c.GrantId == filter.GrantId)).ToList())
                {
                    _codes.Remove(code.Hash);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<string>>(revoked);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // A revoked grant is kept until its end, so a late use of its refresh tokens is still known as revoked.
            var expired = _grants.Values.Where(g => g.ExpiresAt <= now).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var id in expired)
            {
                _grants.Remove(id);
            }

            foreach (var code in _codes.Values.Where(c => c.ExpiresAt <= now).ToList())
            {
                _codes.Remove(code.Hash);
            }

            foreach (var token in _refreshTokens.Values.Where(t => t.ExpiresAt <= now || expired.Contains(t.GrantId)).ToList())
            {
                _refreshTokens.Remove(token.Hash);
            }

            return ValueTask.FromResult(expired.Count);
        }
    }
}

/// <summary>An <see cref="IOAuthConsentStore"/> in process memory; for development, tests and samples.</summary>
public sealed class InMemoryOAuthConsentStore : IOAuthConsentStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<(string User, string App, string Team), OAuthConsentRecord> _consents = new();

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OAuthConsentRecord>> ListAsync(string userId, string? appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<OAuthConsentRecord>>(
                [.. _consents.Values.Where(c => c.UserId == userId && (appId is null || c.AppId == appId))]);
        }
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(OAuthConsentRecord consent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consent);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _consents[(consent.UserId, consent.AppId, consent.TeamId)] = consent with { Scopes = [.. consent.Scopes] };
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> RemoveAsync(string? userId, string appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var keys = _consents.Keys.Where(k => k.App == appId && (userId is null || k.User == userId)).ToList();
            keys.ForEach(k => _consents.Remove(k));
            return ValueTask.FromResult(keys.Count);
        }
    }
}
