using Veza.Authentication.Secrets;

namespace Veza.Authentication.Hosting;

/// <summary>
/// Limits on secret checks. A secret check (Argon2id) costs tens of milliseconds of CPU and about
/// <see cref="Argon2idOptions.MemorySizeKiB"/> of memory, so the library bounds what callers can make it spend:
/// checks that succeed are remembered, checks run a few at a time, and a client address that keeps failing is
/// slowed down before any check runs for it. A correct secret that was checked before is never refused by
/// these limits.
/// </summary>
public sealed class SecretCheckOptions
{
    /// <summary>
    /// How many secret checks may run at once in the process. Default: half the processor count, at least 1, so
    /// that a flood of first-time or wrong secrets leaves the other cores to requests whose checks are cached.
    /// </summary>
    public int MaxConcurrentChecks { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// How long a check waits for one of <see cref="MaxConcurrentChecks"/> before the request is answered 503 with
    /// <c>Retry-After</c>. Default 1 second.
    /// </summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many failed checks (wrong secret, unknown or revoked credential) one client address may cause per
    /// <see cref="FailureWindow"/>; checks that are still running count too. Past it, that address's uncached
    /// checks are answered 429 without touching the store or running Argon2id, while other addresses, and this
    /// address's already-verified credentials, are unaffected. Default 10. The address is
    /// <c>HttpContext.Connection.RemoteIpAddress</c> (IPv6 grouped by /64); behind a proxy, use the forwarded-headers
    /// middleware so that it is the client's.
    /// </summary>
    public int FailureLimitPerSource { get; set; } = 10;

    /// <summary>The window for <see cref="FailureLimitPerSource"/>. Default 1 minute.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The key of the short fingerprints kept beside secret hashes (16 bits of HMAC-SHA256 of the secret), which refuse
    /// all but one in 65,536 wrong secrets without running Argon2id. Default <see langword="null"/>: the key is derived
    /// from the current Data Protection key, so it survives restarts and is shared by every instance that shares the
    /// key ring. Set it (base64, at least 32 bytes, from your secret configuration, never from the credential
    /// database) to use a key of your own. Changing it, or a key ring that rotates, costs each secret one Argon2id run
    /// at its next use, after which it gains a fingerprint under the new key; nothing is ever refused for it.
    /// </summary>
    public string? FingerprintKey { get; set; }
}
