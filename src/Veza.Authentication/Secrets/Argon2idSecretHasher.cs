using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Secrets;

/// <summary>
/// Hashes secrets with Argon2id and stores them as PHC strings:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c> (unpadded base64).
/// </summary>
public sealed class Argon2idSecretHasher : ISecretHasher
{
    private const int Argon2Version = 19;
    private const int MaxMemorySizeKiB = 4 * 1024 * 1024;
    private const int MaxIterations = 64;
    private const int MaxParallelism = 64;
    private readonly IOptionsMonitor<VezaAuthenticationOptions> _options;

    /// <summary>Creates a hasher that reads its parameters from <see cref="VezaAuthenticationOptions.Argon2id"/>.</summary>
    /// <param name="options">The library options.</param>
    public Argon2idSecretHasher(IOptionsMonitor<VezaAuthenticationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc />
    public string Hash(ReadOnlySpan<char> secret)
    {
        var p = _options.CurrentValue.Argon2id;
        var salt = RandomNumberGenerator.GetBytes(p.SaltLength);
        var hash = Derive(secret, salt, p.MemorySizeKiB, p.Iterations, p.Parallelism, p.HashLength);
        try
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"$argon2id$v={Argon2Version}$m={p.MemorySizeKiB},t={p.Iterations},p={p.Parallelism}${ToB64(salt)}${ToB64(hash)}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    /// <inheritdoc />
    public SecretVerificationResult Verify(string storedHash, ReadOnlySpan<char> secret)
    {
        if (!TryParse(storedHash, out var m, out var t, out var par, out var salt, out var expected))
        {
            return SecretVerificationResult.Failed;
        }

        var actual = Derive(secret, salt, m, t, par, expected.Length);
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                return SecretVerificationResult.Failed;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(actual);
        }

        var current = _options.CurrentValue.Argon2id;
        var upToDate = m == current.MemorySizeKiB && t == current.Iterations && par == current.Parallelism
            && salt.Length == current.SaltLength && expected.Length == current.HashLength;
        return upToDate ? SecretVerificationResult.Success : SecretVerificationResult.SuccessRehashNeeded;
    }

    private static byte[] Derive(ReadOnlySpan<char> secret, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        var secretBytes = new byte[Encoding.UTF8.GetByteCount(secret)];
        try
        {
            Encoding.UTF8.GetBytes(secret, secretBytes);
            using var argon2 = new Argon2id(secretBytes)
            {
                Salt = salt,
                MemorySize = memoryKiB,
                Iterations = iterations,
                DegreeOfParallelism = parallelism,
            };
            return argon2.GetBytes(length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretBytes);
        }
    }

    // Parses "$argon2id$v=19$m=..,t=..,p=..$salt$hash". Anything else, or parameters outside sane bounds
    // (a tampered row must not make the server allocate gigabytes), is rejected.
    internal static bool TryParse(string phc, out int memoryKiB, out int iterations, out int parallelism, out byte[] salt, out byte[] hash)
    {
        memoryKiB = iterations = parallelism = 0;
        salt = hash = [];
        if (string.IsNullOrEmpty(phc))
        {
            return false;
        }

        var parts = phc.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        foreach (var pair in parts[3].Split(','))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(pair.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (pair[..eq])
            {
                case "m": memoryKiB = value; break;
                case "t": iterations = value; break;
                case "p": parallelism = value; break;
                default: return false;
            }
        }

        if (parallelism is < 1 or > MaxParallelism || iterations is < 1 or > MaxIterations
            || memoryKiB < 8 * parallelism || memoryKiB > MaxMemorySizeKiB)
        {
            return false;
        }

        return TryFromB64(parts[4], out salt) && salt.Length >= 8 && TryFromB64(parts[5], out hash) && hash.Length >= 16;
    }

    private static string ToB64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryFromB64(string value, out byte[] bytes)
    {
        bytes = [];
        var padded = (value.Length % 4) switch
        {
            0 => value,
            2 => value + "==",
            3 => value + "=",
            _ => null,
        };
        if (padded is null || !Base64.IsValid(padded))
        {
            return false;
        }

        bytes = Convert.FromBase64String(padded);
        return true;
    }
}
