using System.Collections.Concurrent;

namespace Veza.Authentication.Secrets;

/// <summary>A remembered check: the credential's facts when it succeeded, or <see langword="null"/> when it was refused.</summary>
internal sealed class SecretCheck<T>(T? value, long stamp, long expiresAt) where T : class
{
    public T? Value { get; } = value;

    public long Stamp { get; } = stamp;

    public long ExpiresAt { get; } = expiresAt;
}

/// <summary>
/// Remembers secret checks in this process only, so that Argon2id runs once per credential and secret, not once per
/// request. Decisions are never shared through a distributed cache: whoever can write to it could otherwise make any
/// credential authenticate.
/// </summary>
/// <remarks>
/// Every credential id maps to a generation counter (one of 4096 stripes, by the process-randomised string hash).
/// A check reads the generation before it reads the store, and its result is stamped with it; a remembered check is
/// used only while its stamp still equals the current generation. Invalidating a credential bumps its generation,
/// so once <see cref="Invalidate"/> returns, no check that was in flight, nor any remembered before, is honoured again,
/// and checks started afterwards never join one started before. A bump also forgets the other credentials of the
/// same stripe, which costs them one more check.
/// </remarks>
internal sealed class SecretCheckCache<T> where T : class
{
    private const int StripeCount = 4096;

    private readonly long[] _generations = new long[StripeCount];
    private readonly ConcurrentDictionary<string, SecretCheck<T>> _checks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SecretCheck<T>> _refusals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Key, long Stamp), Task<SecretCheck<T>>> _inFlight = new();
    private readonly TimeProvider _time;
    private readonly long _durationTimestampTicks;
    private readonly int _maxEntries;
    private readonly int _sweepEvery;
    private int _writes;

    public SecretCheckCache(TimeSpan duration, int maxEntries, TimeProvider time)
    {
        _time = time;
        _durationTimestampTicks = (long)(duration.TotalSeconds * time.TimestampFrequency);
        _maxEntries = maxEntries;
        // Each map holds at most a tenth more than the bound between two sweeps (and never more than 1024 more).
        _sweepEvery = Math.Clamp(maxEntries / 10, 1, 1024);
    }

    /// <summary>How many checks are remembered, successes and refusals (for tests and diagnostics).</summary>
    public int Count => _checks.Count + _refusals.Count;

    /// <summary>The current generation of a credential: read it before reading the credential from its store.</summary>
    public long Stamp(string credentialId) => Volatile.Read(ref _generations[Stripe(credentialId)]);

    /// <summary>Forgets every check of the credential, including those still running.</summary>
    public void Invalidate(string credentialId) => Interlocked.Increment(ref _generations[Stripe(credentialId)]);

    /// <summary>Forgets every check of every credential, including those still running.</summary>
    public void InvalidateAll()
    {
        for (var stripe = 0; stripe < StripeCount; stripe++)
        {
            Interlocked.Increment(ref _generations[stripe]);
        }
    }

    /// <summary>Whether a remembered check may still be used for a request that read <paramref name="stamp"/>.</summary>
    public bool IsCurrent(SecretCheck<T> check, long stamp) => check.Stamp == stamp && _time.GetTimestamp() < check.ExpiresAt;

    /// <summary>Finds a remembered successful check by its cache key (credential id and a digest of the secret).</summary>
    public SecretCheck<T>? Find(string cacheKey, long stamp)
        => _checks.TryGetValue(cacheKey, out var check) && IsCurrent(check, stamp) ? check : null;

    /// <summary>Finds a remembered refusal of the credential itself (revoked or disabled), whatever the secret.</summary>
    public SecretCheck<T>? FindRefusal(string credentialId, long stamp)
        => _refusals.TryGetValue(credentialId, out var check) && IsCurrent(check, stamp) ? check : null;

    /// <summary>Remembers a success under <paramref name="cacheKey"/>, stamped with the generation read before the check.</summary>
    public SecretCheck<T> Remember(string cacheKey, T value, long stamp) => Add(_checks, cacheKey, value, stamp);

    /// <summary>Remembers that the credential itself is refused, stamped with the generation read before the check.</summary>
    public SecretCheck<T> RememberRefusal(string credentialId, long stamp) => Add(_refusals, credentialId, null, stamp);

    /// <summary>
    /// Runs <paramref name="check"/> once for all concurrent callers with the same key and generation. The check runs
    /// to its end even when a caller gives up; each caller waits only as long as its own token allows.
    /// </summary>
    public Task<SecretCheck<T>> RunOnceAsync<TState>(string cacheKey, long stamp, TState state,
        Func<TState, Task<SecretCheck<T>>> check, CancellationToken cancellationToken)
    {
        var key = (cacheKey, stamp);
        if (!_inFlight.TryGetValue(key, out var running))
        {
            var mine = new TaskCompletionSource<SecretCheck<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
            running = _inFlight.GetOrAdd(key, mine.Task);
            if (running == mine.Task)
            {
                _ = CompleteAsync(key, mine, state, check);
            }
        }

        return running.WaitAsync(cancellationToken);
    }

    private async Task CompleteAsync<TState>((string, long) key, TaskCompletionSource<SecretCheck<T>> completion, TState state,
        Func<TState, Task<SecretCheck<T>>> check)
    {
        try
        {
            completion.SetResult(await check(state).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            completion.SetException(ex);
            // Callers that gave up would leave the exception unobserved; it is theirs, already answered.
            _ = completion.Task.Exception;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<(string, long), Task<SecretCheck<T>>>(key, completion.Task));
        }
    }

    private SecretCheck<T> Add(ConcurrentDictionary<string, SecretCheck<T>> map, string key, T? value, long stamp)
    {
        var now = _time.GetTimestamp();
        var check = new SecretCheck<T>(value, stamp, now + _durationTimestampTicks);
        map[key] = check;
        if (Interlocked.Increment(ref _writes) % _sweepEvery == 0)
        {
            Sweep(_checks, now, _maxEntries);
            Sweep(_refusals, now, _maxEntries);
        }

        return check;
    }

    // Drops expired checks, then, while more than the bound are left, those closest to expiring (the oldest) until a
    // tenth of the bound is free. Stale stamps are left to expire: the stripe of an entry is not known from its key.
    private static void Sweep(ConcurrentDictionary<string, SecretCheck<T>> map, long now, int maxEntries)
    {
        foreach (var (key, check) in map)
        {
            if (now >= check.ExpiresAt)
            {
                map.TryRemove(new KeyValuePair<string, SecretCheck<T>>(key, check));
            }
        }

        var surplus = map.Count - (maxEntries - (maxEntries / 10));
        if (map.Count <= maxEntries || surplus <= 0)
        {
            return;
        }

        foreach (var (key, check) in map.OrderBy(e => e.Value.ExpiresAt).Take(surplus).ToList())
        {
            map.TryRemove(new KeyValuePair<string, SecretCheck<T>>(key, check));
        }
    }

    private static int Stripe(string credentialId) => credentialId.GetHashCode() & (StripeCount - 1);
}
