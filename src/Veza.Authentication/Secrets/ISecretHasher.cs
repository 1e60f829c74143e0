namespace Veza.Authentication.Secrets;

/// <summary>
/// Turns a credential secret into a self-describing hash string for storage, and checks a presented secret
/// against such a string. The default implementation is <see cref="Argon2idSecretHasher"/>.
/// </summary>
/// <remarks>
/// Implementations must compare in constant time and must never log or throw with the secret. The library bounds
/// how many checks run at once (<see cref="Hosting.SecretCheckOptions.MaxConcurrentChecks"/>); an implementation
/// does not need a bound of its own.
/// </remarks>
public interface ISecretHasher
{
    /// <summary>Hashes <paramref name="secret"/> with the current parameters and a fresh random salt.</summary>
    /// <param name="secret">The plain secret.</param>
    /// <returns>A string that carries the algorithm, its parameters, the salt and the hash.</returns>
    string Hash(ReadOnlySpan<char> secret);

    /// <summary>Checks <paramref name="secret"/> against a string produced by <see cref="Hash"/>.</summary>
    /// <param name="storedHash">The stored hash string. It is input like any other: a string outside the hasher's
    /// documented bounds is refused (<see cref="SecretVerificationResult.Failed"/>) without work.</param>
    /// <param name="secret">The presented secret.</param>
    /// <param name="cancellationToken">Cancels the check before it starts.</param>
    /// <returns>Whether the secret matches, and whether the stored string should be replaced by a fresh hash.</returns>
    ValueTask<SecretVerificationResult> VerifyAsync(string storedHash, string secret, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="ISecretHasher.VerifyAsync"/>.</summary>
public enum SecretVerificationResult
{
    /// <summary>The secret does not match, or the stored string is not one this hasher accepts.</summary>
    Failed = 0,

    /// <summary>The secret matches and the stored string uses the current parameters.</summary>
    Success = 1,

    /// <summary>The secret matches but the stored string uses older parameters and should be re-hashed.</summary>
    SuccessRehashNeeded = 2,
}
