using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Secrets;

/// <summary>
/// Counts failed secret checks per client address in a fixed window (on <see cref="TimeProvider"/>). A check
/// takes a permit before it touches the store or runs Argon2id and gives it back when it succeeds, so concurrent
/// wrong secrets from one address are refused as soon as they reach the limit, not after all of them ran. It slows
/// the failing address, never a credential: other addresses, and every credential whose check is cached, are
/// unaffected.
/// </summary>
internal sealed class SourceFailureThrottle
{
    // Windows of addresses that stopped failing are dropped once this many are held.
    private const int SweepThreshold = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly long _windowTimestampTicks;
    private long _lastSweep;

    public SourceFailureThrottle(IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _time = time;
        var o = options.Value.SecretChecks;
        _limit = o.FailureLimitPerSource;
        _windowTimestampTicks = (long)(o.FailureWindow.TotalSeconds * time.TimestampFrequency);
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>The partition for a client address: IPv4 as is, IPv6 by its /64 prefix, one shared partition when unknown.</summary>
    public static string SourceOf(IPAddress? address)
    {
        if (address is null)
        {
            return "-";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>Takes a permit for one check by <paramref name="source"/>; <see langword="false"/> when it has used up its failures.</summary>
    public bool TryReserve(string source, out TimeSpan retryAfter)
    {
        var now = _time.GetTimestamp();
        SweepIfLarge(now);
        var window = _windows.GetOrAdd(source, static (_, now) => new Window(now), now);
        lock (window)
        {
            if (now - window.Start >= _windowTimestampTicks)
            {
                window.Start = now;
                window.Count = 0;
            }

            if (window.Count >= _limit)
            {
                retryAfter = TimeSpan.FromSeconds(Math.Max(1, (_windowTimestampTicks - (now - window.Start)) / (double)_time.TimestampFrequency));
                return false;
            }

            window.Count++;
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>Gives a permit back: the check succeeded, or failed for a reason that is not the caller's.</summary>
    public void Release(string source)
    {
        if (_windows.TryGetValue(source, out var window))
        {
            lock (window)
            {
                if (window.Count > 0)
                {
                    window.Count--;
                }
            }
        }
    }

    private void SweepIfLarge(long now)
    {
        var last = Volatile.Read(ref _lastSweep);
        if (_windows.Count < SweepThreshold || now - last < _windowTimestampTicks
            || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (source, window) in _windows)
        {
            bool expired;
            lock (window)
            {
                expired = now - window.Start >= _windowTimestampTicks;
            }

            if (expired)
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(source, window));
            }
        }
    }

    private sealed class Window(long start)
    {
        public long Start = start;
        public int Count;
    }
}
