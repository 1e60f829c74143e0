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
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c> (unpadded base64). Only that exact form is
/// accepted back: version 19, the parameters <c>m</c>, <c>t</c>, <c>p</c> once each and in that order, written
/// without leading zeros, and every value within the bounds documented on <see cref="Argon2idOptions"/>.
/// </summary>
public sealed class Argon2idSecretHasher : ISecretHasher
{
    private const string Prefix = "$argon2id$v=19$";

    // The longest string the bounds allow is well under this; anything longer is refused before it is split.
    private const int MaxPhcLength = 256;

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
                $"{Prefix}m={p.MemorySizeKiB},t={p.Iterations},p={p.Parallelism}${ToB64(salt)}${ToB64(hash)}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    /// <inheritdoc />
    public ValueTask<SecretVerificationResult> VerifyAsync(string storedHash, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Verify(storedHash, secret));
    }

    private SecretVerificationResult Verify(string storedHash, ReadOnlySpan<char> secret)
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

    /// <summary>
    /// Parses a PHC string of the one accepted form. A tampered or foreign row must not make the server allocate
    /// gigabytes or loop for minutes, so every parameter is bounded and anything unexpected is refused.
    /// </summary>
    internal static bool TryParse(string? phc, out int memoryKiB, out int iterations, out int parallelism, out byte[] salt, out byte[] hash)
    {
        memoryKiB = iterations = parallelism = 0;
        salt = hash = [];
        if (phc is null || phc.Length > MaxPhcLength || !phc.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = phc.AsSpan(Prefix.Length);
        if (!TryReadParameter(ref rest, "m=", ',', out memoryKiB)
            || !TryReadParameter(ref rest, "t=", ',', out iterations)
            || !TryReadParameter(ref rest, "p=", '$', out parallelism))
        {
            return false;
        }

        if (parallelism is < 1 or > Argon2idOptions.MaxParallelism
            || iterations is < 1 or > Argon2idOptions.MaxIterations
            || memoryKiB < 8 * parallelism || memoryKiB > Argon2idOptions.MaxMemorySizeKiB)
        {
            return false;
        }

        var separator = rest.IndexOf('$');
        if (separator < 0)
        {
            return false;
        }

        return TryFromB64(rest[..separator], out salt)
            && salt.Length is >= Argon2idOptions.MinSaltLength and <= Argon2idOptions.MaxSaltLength
            && TryFromB64(rest[(separator + 1)..], out hash)
            && hash.Length is >= Argon2idOptions.MinHashLength and <= Argon2idOptions.MaxHashLength;
    }

    // Reads "<name><digits><terminator>" from the front of the span: digits without a leading zero, at most 9 of them.
    private static bool TryReadParameter(ref ReadOnlySpan<char> text, string name, char terminator, out int value)
    {
        value = 0;
        if (!text.StartsWith(name, StringComparison.Ordinal))
        {
            return false;
        }

        text = text[name.Length..];
        var end = text.IndexOf(terminator);
        if (end is < 1 or > 9 || (text[0] == '0' && end > 1))
        {
            return false;
        }

        for (var i = 0; i < end; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        text = text[(end + 1)..];
        return true;
    }

    private static string ToB64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryFromB64(ReadOnlySpan<char> value, out byte[] bytes)
    {
        bytes = [];
        if (value.Length == 0 || value.Length % 4 == 1 || value.Length > 128)
        {
            return false;
        }

        Span<char> padded = stackalloc char[value.Length + 3];
        value.CopyTo(padded);
        var length = value.Length;
        while (length % 4 != 0)
        {
            padded[length++] = '=';
        }

        var text = padded[..length];
        if (!Base64.IsValid(text, out var decodedLength))
        {
            return false;
        }

        bytes = new byte[decodedLength];
        return Convert.TryFromBase64Chars(text, bytes, out var written) && written == decodedLength;
    }
}
