using System.Net;
using Veza.Authentication.Diagnostics;

namespace Veza.Authentication.Secrets;

/// <summary>The outcome of <see cref="VezaPasswordVerifier.VerifyAsync"/>.</summary>
public enum VezaPasswordCheckResult
{
    /// <summary>The password is wrong, or there is no stored hash (an unknown user). Counted against the address.</summary>
    Failed = 0,

    /// <summary>The password is right.</summary>
    Success = 1,

    /// <summary>The address has failed too often in the window: nothing was checked. Answer 429 with
    /// <see cref="VezaPasswordCheck.RetryAfter"/>.</summary>
    Throttled = 2,

    /// <summary>Every Argon2id slot stayed taken for the queue timeout: nothing was decided. Answer 503.</summary>
    Busy = 3,
}

/// <summary>What <see cref="VezaPasswordVerifier.VerifyAsync"/> found.</summary>
/// <param name="Result">The outcome.</param>
/// <param name="RetryAfter">For <see cref="VezaPasswordCheckResult.Throttled"/>, how long the address must wait.</param>
/// <param name="UpgradedHash">For a success whose stored hash is outdated (older Argon2id parameters, or no fingerprint
/// under the current key): the string to store instead. <see langword="null"/> otherwise.</param>
public readonly record struct VezaPasswordCheck(VezaPasswordCheckResult Result, TimeSpan RetryAfter = default, string? UpgradedHash = null);

/// <summary>
/// Checks a host's own passwords (a sign-in page's, say) with the protections the library gives its own secrets, so a
/// host does not run Argon2id outside them: a client address that keeps failing is refused before any work
/// (<see cref="Hosting.SecretCheckOptions.FailureLimitPerSource"/>), Argon2id runs inside the process-wide bound
/// (<see cref="Hosting.SecretCheckOptions.MaxConcurrentChecks"/>), and the keyed fingerprint kept with each hash refuses
/// almost every wrong password in microseconds. An unknown user costs what a wrong password costs. Failures count in
/// the library's Warning summary; nothing is logged per attempt, and the password never is.
/// </summary>
/// <remarks>Hashes made by <see cref="HashAsync"/> carry a fingerprint; plain hashes of the <see cref="ISecretHasher"/>
/// are accepted too and get an <see cref="VezaPasswordCheck.UpgradedHash"/> on their next successful check.</remarks>
public sealed class VezaPasswordVerifier
{
    /// <summary>The longest password checked; longer ones fail at once.</summary>
    public const int MaxPasswordLength = 1024;

    private readonly StoredSecrets _secrets;
    private readonly SourceFailureThrottle _throttle;
    private readonly AuthenticationFailureLog _failures;

    internal VezaPasswordVerifier(StoredSecrets secrets, SourceFailureThrottle throttle, AuthenticationFailureLog failures)
    {
        _secrets = secrets;
        _throttle = throttle;
        _failures = failures;
    }

    /// <summary>The string to store for a new password: an Argon2id hash with its fingerprint, made inside the bound.</summary>
    /// <param name="password">The password.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot.</param>
    /// <returns>The string to store; never the password.</returns>
    public ValueTask<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return _secrets.HashAsync(password, cancellationToken);
    }

    /// <summary>Checks a password presented from <paramref name="client"/> against a stored hash.</summary>
    /// <param name="storedHash">The stored string, or <see langword="null"/> when the user is unknown.</param>
    /// <param name="password">The presented password.</param>
    /// <param name="client">The client's address (<c>HttpContext.Connection.RemoteIpAddress</c>); failures are counted
    /// against it (IPv6 by /64).</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The outcome.</returns>
    public async ValueTask<VezaPasswordCheck> VerifyAsync(string? storedHash, string password, IPAddress? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(password);
        cancellationToken.ThrowIfCancellationRequested();
        var source = SourceFailureThrottle.SourceOf(client);
        if (!_throttle.TryReserve(source, out var retryAfter))
        {
            _failures.Record(AuthenticationFailureKind.Throttled);
            return new VezaPasswordCheck(VezaPasswordCheckResult.Throttled, retryAfter);
        }

        StoredSecretCheck check;
        try
        {
            check = storedHash is null || password.Length is 0 or > MaxPasswordLength
                ? default
                : await _secrets.VerifyAsync(storedHash, password).ConfigureAwait(false);
        }
        catch (SecretCheckBusyException)
        {
            // Not the caller's failure: the permit goes back.
            _throttle.Release(source);
            _failures.Record(AuthenticationFailureKind.Busy);
            return new VezaPasswordCheck(VezaPasswordCheckResult.Busy);
        }

        if (!check.Matches)
        {
            _failures.Record(AuthenticationFailureKind.Rejected);
            return new VezaPasswordCheck(VezaPasswordCheckResult.Failed);
        }

        _throttle.Release(source);
        string? upgraded = null;
        try
        {
            upgraded = check.Upgrade == StoredSecretUpgrade.None
                ? null
                : await _secrets.UpgradeAsync(storedHash!, password, check.Upgrade, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretCheckBusyException)
        {
            // The password is right; the upgrade waits for a later sign-in.
        }

        return new VezaPasswordCheck(VezaPasswordCheckResult.Success, UpgradedHash: upgraded);
    }
}
