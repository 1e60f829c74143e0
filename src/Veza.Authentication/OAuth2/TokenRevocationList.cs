using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Veza.Authentication.Changes;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// The revoked access tokens (by <c>jti</c>) this instance knows of, in memory, so checking a token costs one lookup.
/// The list is read whole from <see cref="ITokenRevocationStore"/> on first use; after that, a revocation made through
/// this instance counts on its next request, and one made elsewhere arrives with the change feed. Until the store has
/// been read (again, after everything was forgotten), tokens are not accepted (fail closed).
/// </summary>
internal sealed class TokenRevocationList : IChangeListener
{
    private const int SweepEvery = 1024;

    // Revoked ids with when they may be forgotten: the token's own expiry when known, else the longest any token lives.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly ITokenRevocationStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _longestLife;
    private readonly Lock _lock = new();
    private Task? _loading;
    private int _generation;
    private int _loadedGeneration = -1;
    private int _changes;

    public TokenRevocationList(ITokenRevocationStore store, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _store = store;
        _time = time;
        _timeout = options.Value.Stores.Timeout;
        _longestLife = options.Value.OAuth2.MaxAccessTokenLifetime + options.Value.OAuth2.ClockSkew;
    }

    private bool Loaded => Volatile.Read(ref _loadedGeneration) == Volatile.Read(ref _generation);

    /// <summary>Whether the token is revoked; waits for the store only before the list is loaded.</summary>
    public ValueTask<bool> IsRevokedAsync(string tokenId, CancellationToken cancellationToken)
        => Loaded ? ValueTask.FromResult(_revoked.ContainsKey(tokenId)) : LoadThenCheckAsync(tokenId, cancellationToken);

    /// <summary>Records a revocation in the store (which announces it to the other instances), then here.</summary>
    public async ValueTask RevokeAsync(RevokedTokenRecord token, CancellationToken cancellationToken)
    {
        await _store.AddAsync(token, cancellationToken).ConfigureAwait(false);
        _revoked[token.TokenId] = token.ExpiresAt;
    }

    /// <summary>A token was revoked through some instance: refused here from now on.</summary>
    public void OnChanged(VezaChange change)
    {
        if (change.Kind != VezaChangeKind.RevokedToken)
        {
            return;
        }

        var now = _time.GetUtcNow();
        _revoked.TryAdd(change.Id, now + _longestLife);
        if (Interlocked.Increment(ref _changes) % SweepEvery == 0)
        {
            Sweep(now);
        }
    }

    /// <summary>Reads the whole list from the store again before the next check.</summary>
    public void ForgetAll() => Interlocked.Increment(ref _generation);

    private async ValueTask<bool> LoadThenCheckAsync(string tokenId, CancellationToken cancellationToken)
    {
        await LoadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!Loaded)
        {
            throw new InvalidOperationException("The revoked-token store could not be read.");
        }

        return _revoked.ContainsKey(tokenId);
    }

    private Task LoadAsync()
    {
        lock (_lock)
        {
            return _loading is { IsCompleted: false } ? _loading : _loading = ReadAllAsync();
        }
    }

    private async Task ReadAllAsync()
    {
        await Task.Yield();
        // Marked loaded for the generation it started in: if everything is forgotten meanwhile, the next check reads again.
        var generation = Volatile.Read(ref _generation);
        try
        {
            using var timeout = new CancellationTokenSource(_timeout);
            var now = _time.GetUtcNow();
            foreach (var token in await _store.ListAsync(now, timeout.Token).ConfigureAwait(false))
            {
                _revoked[token.TokenId] = token.ExpiresAt;
            }

            Sweep(now);
            Volatile.Write(ref _loadedGeneration, generation);
        }
        catch (Exception)
        {
            // Not loaded: the waiting request fails closed, and the next one tries again.
        }
    }

    // Drops revocations of tokens that have expired (with the allowed skew): they are refused for their expiry anyway.
    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, forgetAt) in _revoked)
        {
            if (forgetAt <= now - TimeSpan.FromMinutes(5))
            {
                _revoked.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, forgetAt));
            }
        }
    }
}
