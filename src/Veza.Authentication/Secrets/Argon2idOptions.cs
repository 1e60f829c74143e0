namespace Veza.Authentication.Secrets;

/// <summary>Argon2id parameters used when hashing new secrets.</summary>
/// <remarks>
/// The defaults follow the OWASP recommendation for Argon2id (19 MiB of memory, two passes, one lane).
/// Stored hashes carry their own parameters, so changing these never breaks existing credentials: a hash made
/// with other parameters is replaced after its next successful check.
/// </remarks>
public sealed class Argon2idOptions
{
    /// <summary>Memory cost in KiB. Default 19456 (19 MiB). Lower values make offline guessing cheaper.</summary>
    public int MemorySizeKiB { get; set; } = 19456;

    /// <summary>Number of passes over memory. Default 2.</summary>
    public int Iterations { get; set; } = 2;

    /// <summary>Degree of parallelism (lanes). Default 1; each check then uses one core.</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Length of the random salt in bytes. Default 16.</summary>
    public int SaltLength { get; set; } = 16;

    /// <summary>Length of the derived hash in bytes. Default 32.</summary>
    public int HashLength { get; set; } = 32;
}
