namespace Veza.Authentication.Hosting;

/// <summary>Argon2id parameters used when hashing new secrets.</summary>
/// <remarks>
/// The defaults follow the OWASP recommendation for Argon2id (19 MiB of memory, two passes, one lane).
/// Stored hashes carry their own parameters, so changing these never breaks existing credentials: a hash made
/// with other parameters is replaced, in the background, after its next successful check. A stored hash whose
/// parameters lie outside the bounds below is refused without running Argon2id (a stored hash is input too).
/// </remarks>
public sealed class Argon2idOptions
{
    /// <summary>The most memory a hash may ask for: 262144 KiB (256 MiB).</summary>
    public const int MaxMemorySizeKiB = 256 * 1024;

    /// <summary>The most passes a hash may ask for: 16.</summary>
    public const int MaxIterations = 16;

    /// <summary>The most lanes a hash may ask for: 16.</summary>
    public const int MaxParallelism = 16;

    /// <summary>The shortest salt accepted: 8 bytes.</summary>
    public const int MinSaltLength = 8;

    /// <summary>The longest salt accepted: 64 bytes.</summary>
    public const int MaxSaltLength = 64;

    /// <summary>The shortest hash accepted: 16 bytes.</summary>
    public const int MinHashLength = 16;

    /// <summary>The longest hash accepted: 64 bytes.</summary>
    public const int MaxHashLength = 64;

    /// <summary>
    /// Memory cost in KiB, from 8 × <see cref="Parallelism"/> to <see cref="MaxMemorySizeKiB"/>. Default 19456
    /// (19 MiB). Lower values make offline guessing cheaper; higher ones cost every first check this much memory.
    /// </summary>
    public int MemorySizeKiB { get; set; } = 19456;

    /// <summary>Number of passes over memory, 1 to <see cref="MaxIterations"/>. Default 2.</summary>
    public int Iterations { get; set; } = 2;

    /// <summary>Degree of parallelism (lanes), 1 to <see cref="MaxParallelism"/>. Default 1; each check then uses one core.</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Length of the random salt in bytes, <see cref="MinSaltLength"/> to <see cref="MaxSaltLength"/>. Default 16.</summary>
    public int SaltLength { get; set; } = 16;

    /// <summary>Length of the derived hash in bytes, <see cref="MinHashLength"/> to <see cref="MaxHashLength"/>. Default 32.</summary>
    public int HashLength { get; set; } = 32;
}
