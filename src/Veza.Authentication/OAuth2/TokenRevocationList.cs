using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// The revoked access tokens (by <c>jti</c>) this instance knows of, in memory, so checking a token costs one lookup.
/// A revocation made through this instance counts on its next request; revocations made through other instances
/// are read from <see cref="ITokenRevocationStore"/> at most every <see cref="OAuthServerOptions.StateRefreshInterval"/>.
/// Until the store has been read once, tokens are not accepted (fail closed).
/// </summary>
internal sealed class TokenRevocationList
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly ITokenRevocationStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refresh;
    private readonly TimeSpan _timeout;
    private readonly Lock _lock = new();
    private Task? _reading;
    private DateTimeOffset? _lastRead;
    private long _readAt;
    private bool _loaded;

    public TokenRevocationList(ITokenRevocationStore store, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _store = store;
        _time = time;
        _refresh = options.Value.OAuth2.StateRefreshInterval;
        _timeout = options.Value.ApiKeys.StoreTimeout;
    }

    /// <summary>Whether the token is revoked; waits for the store only before its first successful read.</summary>
    public ValueTask<bool> IsRevokedAsync(string tokenId, CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _loaded))
        {
            return LoadThenCheckAsync(tokenId, cancellationToken);
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _readAt)) >= _refresh)
        {
            _ = RefreshAsync();
        }

        return ValueTask.FromResult(_revoked.ContainsKey(tokenId));
    }

    /// <summary>Records a revocation in the store, then here.</summary>
    public async ValueTask RevokeAsync(RevokedTokenRecord token, CancellationToken cancellationToken)
    {
        await _store.AddAsync(token, cancellationToken).ConfigureAwait(false);
        _revoked[token.TokenId] = token.ExpiresAt;
    }

    private async ValueTask<bool> LoadThenCheckAsync(string tokenId, CancellationToken cancellationToken)
    {
        await RefreshAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!Volatile.Read(ref _loaded))
        {
            throw new InvalidOperationException("The revoked-token store could not be read.");
        }

        return _revoked.ContainsKey(tokenId);
    }

    private Task RefreshAsync()
    {
        lock (_lock)
        {
            if (_reading is { IsCompleted: false })
            {
                return _reading;
            }

            return _reading = ReadAsync();
        }
    }

    private async Task ReadAsync()
    {
        await Task.Yield();
        var now = _time.GetUtcNow();
        try
        {
            using var timeout = new CancellationTokenSource(_timeout);
            // Read again from a little before the last read, so a revocation written while it ran is not missed.
            var since = _lastRead - _refresh;
            foreach (var token in await _store.ListAsync(since, now, timeout.Token).ConfigureAwait(false))
            {
                _revoked[token.TokenId] = token.ExpiresAt;
            }

            foreach (var (id, expires) in _revoked)
            {
                if (expires <= now - TimeSpan.FromMinutes(5))
                {
                    _revoked.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, expires));
                }
            }

            _lastRead = now;
            Volatile.Write(ref _readAt, _time.GetTimestamp());
            Volatile.Write(ref _loaded, true);
        }
        catch (Exception) when (Volatile.Read(ref _loaded))
        {
            // Keep what is known; a later request tries again.
        }
        catch (Exception)
        {
            // Not loaded yet: the waiting request fails closed.
        }
    }
}
