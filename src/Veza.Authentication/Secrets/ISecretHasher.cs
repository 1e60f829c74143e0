namespace Veza.Authentication.Secrets;

/// <summary>
/// Turns a credential secret into a self-describing hash string for storage, and checks a presented secret
/// against such a string. The default implementation is <see cref="Argon2idSecretHasher"/>.
/// </summary>
/// <remarks>Implementations must compare in constant time and must never log or throw with the secret.</remarks>
public interface ISecretHasher
{
    /// <summary>Hashes <paramref name="secret"/> with the current parameters and a fresh random salt.</summary>
    /// <param name="secret">The plain secret.</param>
    /// <returns>A string that carries the algorithm, its parameters, the salt and the hash.</returns>
    string Hash(ReadOnlySpan<char> secret);

    /// <summary>Checks <paramref name="secret"/> against a string produced by <see cref="Hash"/>.</summary>
    /// <param name="storedHash">The stored hash string.</param>
    /// <param name="secret">The presented secret.</param>
    /// <returns>Whether the secret matches, and whether the stored string should be replaced by a fresh hash.</returns>
    SecretVerificationResult Verify(string storedHash, ReadOnlySpan<char> secret);
}

/// <summary>The outcome of <see cref="ISecretHasher.Verify"/>.</summary>
public enum SecretVerificationResult
{
    /// <summary>The secret does not match, or the stored string is not one this hasher understands.</summary>
    Failed = 0,

    /// <summary>The secret matches and the stored string uses the current parameters.</summary>
    Success = 1,

    /// <summary>The secret matches but the stored string uses older parameters and should be re-hashed.</summary>
    SuccessRehashNeeded = 2,
}
