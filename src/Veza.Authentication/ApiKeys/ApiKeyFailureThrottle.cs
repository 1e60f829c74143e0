using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.ApiKeys;

/// <summary>
/// Counts failed secret checks per key id in a fixed window. Once a key id reaches the limit, uncached attempts
/// for it are refused without running Argon2id until the window ends, so wrong secrets cannot make the server
/// burn CPU at will. Unknown ids count too, so a 429 does not reveal whether an id exists.
/// </summary>
internal sealed class ApiKeyFailureThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ApiKeyFailureThrottle(IOptions<VezaAuthenticationOptions> options)
    {
        var o = options.Value.ApiKeys;
        Window = o.FailureWindow;
        var limiterOptions = new FixedWindowRateLimiterOptions
        {
            PermitLimit = o.FailureLimit,
            Window = o.FailureWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(
            keyId => RateLimitPartition.GetFixedWindowLimiter(keyId, _ => limiterOptions),
            StringComparer.Ordinal);
    }

    public TimeSpan Window { get; }

    /// <summary>Whether the key id has used up its failures for the current window.</summary>
    public bool IsBlocked(string keyId)
    {
        using var lease = _limiter.AttemptAcquire(keyId, 0);
        return !lease.IsAcquired;
    }

    public void RecordFailure(string keyId)
    {
        using var lease = _limiter.AttemptAcquire(keyId, 1);
    }

    public void Dispose() => _limiter.Dispose();
}
