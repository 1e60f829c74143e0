using Microsoft.Extensions.Logging;

namespace Veza.Authentication.Diagnostics;

/// <summary>Why a request that carried a credential of ours was not authenticated.</summary>
internal enum AuthenticationFailureKind
{
    Rejected,
    Throttled,
    Busy,
    Unavailable,

    /// <summary>An OAuth2 request refused for what it asked (bad parameters, a bad grant), not for its credentials.</summary>
    Refused,
}

/// <summary>
/// Turns per-request authentication failures into at most one Warning line per interval (with the counts since
/// the last one) and one Error line per interval for a failing store (with its exception). Each failure itself
/// is counted on the meter and logged at Debug by the caller. A flood of bad requests costs counters, not disk.
/// </summary>
internal sealed class AuthenticationFailureLog
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly ILogger<AuthenticationFailureLog> _logger;
    private readonly TimeProvider _time;
    private readonly long[] _counts = new long[5];
    private long _lastSummary;
    private long _lastStoreError;

    public AuthenticationFailureLog(ILogger<AuthenticationFailureLog> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        _lastSummary = time.GetTimestamp();
        _lastStoreError = long.MinValue;
    }

    public void Record(AuthenticationFailureKind kind, Exception? storeError = null)
    {
        Interlocked.Increment(ref _counts[(int)kind]);
        var now = _time.GetTimestamp();
        if (storeError is not null && TryTake(ref _lastStoreError, now))
        {
            Log.StoreFailed(_logger, storeError);
        }

        var last = Volatile.Read(ref _lastSummary);
        if (_time.GetElapsedTime(last, now) >= Interval && Interlocked.CompareExchange(ref _lastSummary, now, last) == last)
        {
            Log.FailureSummary(_logger, (long)_time.GetElapsedTime(last, now).TotalSeconds,
                Interlocked.Exchange(ref _counts[(int)AuthenticationFailureKind.Rejected], 0),
                Interlocked.Exchange(ref _counts[(int)AuthenticationFailureKind.Throttled], 0),
                Interlocked.Exchange(ref _counts[(int)AuthenticationFailureKind.Busy], 0),
                Interlocked.Exchange(ref _counts[(int)AuthenticationFailureKind.Unavailable], 0),
                Interlocked.Exchange(ref _counts[(int)AuthenticationFailureKind.Refused], 0));
        }
    }

    private bool TryTake(ref long last, long now)
    {
        var seen = Volatile.Read(ref last);
        return (seen == long.MinValue || _time.GetElapsedTime(seen, now) >= Interval)
            && Interlocked.CompareExchange(ref last, now, seen) == seen;
    }
}
