using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Veza.Authentication.ApiKeys;

/// <summary>
/// The API key string: <c>&lt;prefix&gt;_&lt;key id&gt;_&lt;secret&gt;&lt;checksum&gt;</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The prefix (default <c>veza</c>) makes keys recognisable to people and to secret scanners.</item>
/// <item>The key id (16 base62 characters) is public; it finds the key with one read.</item>
/// <item>The secret is 43 random base62 characters, just over 256 bits.</item>
/// <item>The checksum is the CRC-32 of everything before it, as 6 base62 characters, so a mistyped or
/// made-up key is rejected before any store is asked.</item>
/// </list>
/// </remarks>
public static class ApiKeyFormat
{
    /// <summary>The default prefix, <c>veza</c>.</summary>
    public const string DefaultPrefix = "veza";

    /// <summary>Number of characters in a key id.</summary>
    public const int KeyIdLength = 16;

    /// <summary>Number of characters in a secret (43 base62 characters carry 256 bits).</summary>
    public const int SecretLength = 43;

    /// <summary>Number of characters in the checksum.</summary>
    public const int ChecksumLength = 6;

    /// <summary>Longest prefix accepted.</summary>
    public const int MaxPrefixLength = 16;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Creates a new random key id.</summary>
    /// <returns>A key id of <see cref="KeyIdLength"/> base62 characters.</returns>
    public static string NewKeyId() => RandomNumberGenerator.GetString(Base62, KeyIdLength);

    /// <summary>Creates a new full key string with a random id and secret.</summary>
    /// <param name="prefix">The prefix; lowercase ASCII letters and digits.</param>
    /// <returns>The key string. It is the only copy of the secret: show it once and keep only its hash.</returns>
    public static string Generate(string prefix = DefaultPrefix) => Generate(prefix, NewKeyId());

    internal static string Generate(string prefix, string keyId)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException("The prefix must be 1 to 16 lowercase ASCII letters or digits.", nameof(prefix));
        }

        var secret = RandomNumberGenerator.GetString(Base62, SecretLength);
        var body = string.Concat(prefix, "_", keyId, "_", secret);
        return string.Concat(body, EncodeChecksum(Checksum(body)));
    }

    /// <summary>Whether <paramref name="prefix"/> can be used as a key prefix.</summary>
    /// <param name="prefix">The candidate prefix.</param>
    /// <returns><see langword="true"/> for 1 to 16 lowercase ASCII letters or digits.</returns>
    public static bool IsValidPrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > MaxPrefixLength)
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits a key string into its id and secret, checking its shape and checksum.</summary>
    /// <param name="value">The presented key string.</param>
    /// <param name="prefix">The expected prefix.</param>
    /// <param name="keyId">The key id, when the string is well formed.</param>
    /// <param name="secret">The secret, when the string is well formed.</param>
    /// <returns><see langword="true"/> when the shape and checksum are right; nothing is looked up.</returns>
    public static bool TryParse(string? value, string prefix, out string keyId, out string secret)
    {
        keyId = secret = string.Empty;
        if (value is null || !TryParse(value.AsSpan(), prefix, out var id, out var s))
        {
            return false;
        }

        keyId = id.ToString();
        secret = s.ToString();
        return true;
    }

    /// <summary>The total length of a key string with <paramref name="prefix"/>.</summary>
    internal static int LengthFor(string prefix) => prefix.Length + 2 + KeyIdLength + SecretLength + ChecksumLength;

    /// <summary>Whether <paramref name="token"/> starts with <c>prefix_</c>: the cheap shape test used for routing.</summary>
    internal static bool HasPrefix(ReadOnlySpan<char> token, string prefix)
        => token.Length > prefix.Length && token[prefix.Length] == '_' && token.StartsWith(prefix, StringComparison.Ordinal);

    internal static bool TryParse(ReadOnlySpan<char> token, string prefix, out ReadOnlySpan<char> keyId, out ReadOnlySpan<char> secret)
    {
        keyId = secret = default;
        if (token.Length != LengthFor(prefix) || !HasPrefix(token, prefix))
        {
            return false;
        }

        var idStart = prefix.Length + 1;
        var secretStart = idStart + KeyIdLength + 1;
        var checksumStart = secretStart + SecretLength;
        if (token[secretStart - 1] != '_')
        {
            return false;
        }

        var id = token.Slice(idStart, KeyIdLength);
        var sec = token.Slice(secretStart, SecretLength);
        var sum = token.Slice(checksumStart, ChecksumLength);
        if (!IsBase62(id) || !IsBase62(sec) || !IsBase62(sum))
        {
            return false;
        }

        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(Checksum(token[..checksumStart]), expected);
        if (!expected.SequenceEqual(sum))
        {
            return false;
        }

        keyId = id;
        secret = sec;
        return true;
    }

    /// <summary>Whether a stored key id has the shape this format produces.</summary>
    internal static bool IsValidKeyId(ReadOnlySpan<char> keyId) => keyId.Length == KeyIdLength && IsBase62(keyId);

    private static bool IsBase62(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z')))
            {
                return false;
            }
        }

        return true;
    }

    private static uint Checksum(ReadOnlySpan<char> asciiText)
    {
        // Callers have already checked that the text is ASCII, so one byte per char.
        Span<byte> bytes = asciiText.Length <= 256 ? stackalloc byte[asciiText.Length] : new byte[asciiText.Length];
        Encoding.ASCII.GetBytes(asciiText, bytes);
        return Crc32.HashToUInt32(bytes);
    }

    private static string EncodeChecksum(uint checksum)
    {
        Span<char> chars = stackalloc char[ChecksumLength];
        WriteChecksum(checksum, chars);
        return new string(chars);
    }

    private static void WriteChecksum(uint checksum, Span<char> destination)
    {
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            destination[i] = Base62[(int)(checksum % 62)];
            checksum /= 62;
        }
    }
}
