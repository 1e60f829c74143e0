using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Veza.Authentication.JwtBearer;

/// <summary>Whether a token the signature check let through may be used now.</summary>
internal enum TokenVerdict
{
    /// <summary>It may.</summary>
    Accepted,

    /// <summary>It may not: revoked, its client or grant no longer stands, or the server is switched off (401).</summary>
    Refused,

    /// <summary>Nobody here can tell: the feed has not been read for too long, or the server could not be asked (503).</summary>
    Unverifiable,
}

/// <summary>
/// What the change feed says, held in memory so a request never waits on the server once it is known: the revoked
/// tokens and grants, the state of each client and grant a token named (asked of the server once, then kept until the
/// feed names it, and at most 5 minutes), and whether the feed is current. The decision is the server's own: a token
/// stands while it is not revoked, the server is on, and its client is active, in the token's team and still holds the
/// secret the token was got with, or, for an app's token, the app is active and the user's grant stands.
/// </summary>
internal sealed class TokenStates
{
    private const int MaxRemembered = 100_000;
    private static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _revokedTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revokedGrants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Remembered<ClientState>> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Remembered<GrantState>> _grants = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly VezaJwtBearerOptions _options;
    private readonly ChangeFeedClient _feed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastReadAt;
    private int _read;
    private int _off;

    public TokenStates(VezaJwtBearerOptions options, ChangeFeedClient feed, TimeProvider time, ILogger logger)
    {
        _options = options;
        _feed = feed;
        _time = time;
        _logger = logger;
    }

    private sealed class Remembered<T>(Func<Task<T>> read, long readAt)
    {
        private readonly Lazy<Task<T>> _value = new(read);

        public Task<T> Value => _value.Value;

        public bool IsUsable(TimeProvider time)
            => !Value.IsCompleted || (Value.IsCompletedSuccessfully && time.GetElapsedTime(readAt) < StateLifetime);
    }

    /// <summary>Whether the feed was read within <see cref="VezaChangeFeedOptions.MaxLag"/>.</summary>
    public bool IsCurrent => Volatile.Read(ref _read) == 1 && _time.GetElapsedTime(Volatile.Read(ref _lastReadAt)) < _options.ChangeFeed.MaxLag;

    /// <summary>Whether the server last said it is switched off.</summary>
    public bool IsOff => Volatile.Read(ref _off) == 1;

    /// <summary>The feed was read: the server is on or off as it said.</summary>
    public void MarkRead(bool enabled)
    {
        Volatile.Write(ref _lastReadAt, _time.GetTimestamp());
        Volatile.Write(ref _off, enabled ? 0 : 1);
        Volatile.Write(ref _read, 1);
        _firstRead.TrySetResult();
    }

    /// <summary>The server answered 404: it is switched off.</summary>
    public void MarkOff()
    {
        Volatile.Write(ref _off, 1);
        _firstRead.TrySetResult();
    }

    /// <summary>The first attempt to read the feed is over, whatever came of it: requests stop waiting for it.</summary>
    public void FirstAttemptDone() => _firstRead.TrySetResult();

    public void RevokeToken(string tokenId, DateTimeOffset forgetAt) => _revokedTokens[tokenId] = forgetAt;

    public void RevokeGrant(string grantId, DateTimeOffset forgetAt)
    {
        _revokedGrants[grantId] = forgetAt;
        _grants.TryRemove(grantId, out _);
    }

    /// <summary>A client changed: one no longer active is refused without asking; any other is asked again.</summary>
    public void ClientChanged(string clientId, bool active)
    {
        if (active)
        {
            _clients.TryRemove(clientId, out _);
        }
        else
        {
            var inactive = Task.FromResult(new ClientState(false, false, null, []));
            _clients[clientId] = new Remembered<ClientState>(() => inactive, _time.GetTimestamp());
        }
    }

    /// <summary>Started over from a snapshot: entries may have been missed, so every remembered state is asked again.</summary>
    public void Reset(IEnumerable<KeyValuePair<string, DateTimeOffset>> revokedTokens)
    {
        _clients.Clear();
        _grants.Clear();
        foreach (var (id, forgetAt) in revokedTokens)
        {
            _revokedTokens[id] = forgetAt;
        }
    }

    /// <summary>Forgets revocations of tokens that have expired by now anyway.</summary>
    public void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var map in new[] { _revokedTokens, _revokedGrants })
        {
            foreach (var (id, forgetAt) in map)
            {
                if (forgetAt < now)
                {
                    map.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, forgetAt));
                }
            }
        }
    }

    /// <summary>Whether the token may be used now, and why not.</summary>
    public async ValueTask<(TokenVerdict Verdict, string? Reason)> DecideAsync(TokenAccess access, CancellationToken cancellationToken)
    {
        if (!_options.ChangeFeed.Enabled)
        {
            return (TokenVerdict.Accepted, null);
        }

        if (!_firstRead.Task.IsCompleted)
        {
            // Just started: wait (a little) for the first reading rather than refuse.
            await _firstRead.Task.WaitAsync(_options.BackchannelTimeout, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        if (IsOff)
        {
            return (TokenVerdict.Refused, "the authorization server is switched off");
        }

        if (!IsCurrent)
        {
            return (TokenVerdict.Unverifiable, "the change feed has not been read recently enough");
        }

        if (_revokedTokens.ContainsKey(access.TokenId))
        {
            return (TokenVerdict.Refused, "the token is revoked");
        }

        try
        {
            var client = await FindAsync(_clients, access.ClientId, _feed.GetClientAsync, cancellationToken).ConfigureAwait(false);
            if (access.UserId is null)
            {
                return client is { Active: true, IsApp: false } && client.TeamId == access.TeamId && client.SecretIds.Contains(access.Binding, StringComparer.Ordinal)
                    ? (TokenVerdict.Accepted, null)
                    : (TokenVerdict.Refused, "the client is revoked, deleted, moved or no longer holds the secret");
            }

            if (!client.Active || !client.IsApp || _revokedGrants.ContainsKey(access.Binding))
            {
                return (TokenVerdict.Refused, "the app is revoked or deleted, or the user's grant is revoked");
            }

            var grant = await FindAsync(_grants, access.Binding, _feed.GetGrantAsync, cancellationToken).ConfigureAwait(false);
            return grant.Active && grant.ClientId == access.ClientId && grant.UserId == access.UserId && grant.TeamId == access.TeamId
                ? (TokenVerdict.Accepted, null)
                : (TokenVerdict.Refused, "the user's grant is revoked");
        }
        catch (AuthorizationServerOffException)
        {
            return (TokenVerdict.Refused, "the authorization server is switched off");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ServerUnreachable(_logger, ex);
            return (TokenVerdict.Unverifiable, "the authorization server could not be asked");
        }
    }

    // One read per id at a time, shared by every request that needs it and never cancelled by one of them; a failed
    // read is not remembered.
    private async Task<T> FindAsync<T>(ConcurrentDictionary<string, Remembered<T>> states, string id, Func<string, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        if (!states.TryGetValue(id, out var known) || !known.IsUsable(_time))
        {
            if (states.Count >= MaxRemembered)
            {
                states.Clear();
            }

            var fresh = new Remembered<T>(() => read(id, CancellationToken.None), _time.GetTimestamp());
            known = states.AddOrUpdate(id, fresh, (_, old) => old.IsUsable(_time) ? old : fresh);
        }

        try
        {
            return await known.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            states.TryRemove(new KeyValuePair<string, Remembered<T>>(id, known));
            throw;
        }
    }
}
