using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Secrets;

/// <summary>What a stored secret's fingerprint says about a presented secret.</summary>
internal enum FingerprintVerdict
{
    /// <summary>There is no fingerprint, or it was made under a key this instance does not hold: run the hasher.</summary>
    Unknown = 0,

    /// <summary>The fingerprints agree: the secret may be right (or is one of 65,536 lucky guesses); run the hasher.</summary>
    Match = 1,

    /// <summary>The fingerprints differ: the secret is wrong, and the hasher need not run.</summary>
    Mismatch = 2,
}

/// <summary>
/// Short keyed fingerprints of secrets, kept beside their Argon2id hashes so that a wrong secret for a known
/// credential is refused in microseconds instead of one Argon2id run: 16 bits of HMAC-SHA256 of the secret, which
/// reject all but one in 65,536 wrong secrets. The HMAC key never lives with the hashes: by default it is derived from
/// a Data Protection master key (so it survives restarts and every instance sharing the key ring holds it), or it
/// comes from <see cref="SecretCheckOptions.FingerprintKey"/>. A thief of the database alone learns nothing from a
/// fingerprint. Each fingerprint names the key it was made under; one made under a key this instance does not hold
/// is <see cref="FingerprintVerdict.Unknown"/> (the hasher decides), never a refusal.
/// </summary>
/// <remarks>
/// Stored form: <c>$vezafp$k=&lt;key id&gt;,f=&lt;4 hex digits&gt;;</c> followed by the hasher's own string. The key id
/// is 32 hex digits: the Data Protection key's id, or a digest of the configured key.
/// </remarks>
internal sealed class SecretFingerprints
{
    public const string Header = "$vezafp$k=";
    private const int KeyIdLength = 32;
    private const int FingerprintLength = 4;
    private const string Purpose = "Veza.Authentication.SecretFingerprint.v1";
    private static readonly TimeSpan RereadAtMostEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CurrentKeyFor = TimeSpan.FromHours(1);

    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[]? _configured;
    private readonly Lock _lock = new();
    private KeySet? _keys;
    private long _readAt;
    private bool _warned;

    public SecretFingerprints(IServiceProvider services, IOptions<VezaAuthenticationOptions> options, TimeProvider time, ILogger<SecretFingerprints> logger)
    {
        _services = services;
        _time = time;
        _logger = logger;
        var configured = options.Value.SecretChecks.FingerprintKey;
        _configured = string.IsNullOrEmpty(configured) ? null : Convert.FromBase64String(configured);
    }

    /// <summary>Splits a stored secret into its fingerprint parts (if it has one) and the hasher's string.</summary>
    public static string HasherPart(string stored, out string? keyId, out string? fingerprint)
    {
        keyId = fingerprint = null;
        // "$vezafp$k=" + 32 + ",f=" + 4 + ";"
        const int headerLength = 10 + KeyIdLength + 3 + FingerprintLength + 1;
        if (stored.Length <= headerLength || !stored.StartsWith(Header, StringComparison.Ordinal)
            || string.CompareOrdinal(stored, Header.Length + KeyIdLength, ",f=", 0, 3) != 0 || stored[headerLength - 1] != ';')
        {
            return stored;
        }

        keyId = stored.Substring(Header.Length, KeyIdLength);
        fingerprint = stored.Substring(Header.Length + KeyIdLength + 3, FingerprintLength);
        return stored[headerLength..];
    }

    /// <summary>Whether this instance holds a key to make fingerprints with.</summary>
    public bool Available => Keys() is not null;

    /// <summary>
    /// <paramref name="hasherString"/> with the fingerprint of <paramref name="secret"/> under the current key in front,
    /// or unchanged when no key is available.
    /// </summary>
    public string Attach(string hasherString, ReadOnlySpan<char> secret)
    {
        if (Keys() is not { CurrentId: { } id } keys)
        {
            return hasherString;
        }

        Span<char> fingerprint = stackalloc char[FingerprintLength];
        Compute(keys.Keys[id], secret, fingerprint);
        return string.Concat(Header, id, ",f=", new string(fingerprint), ";" + hasherString);
    }

    /// <summary>What the stored secret's fingerprint says about <paramref name="secret"/>.</summary>
    public FingerprintVerdict Check(string stored, ReadOnlySpan<char> secret)
    {
        HasherPart(stored, out var keyId, out var expected);
        if (keyId is null || !TryGetKey(keyId, out var key))
        {
            return FingerprintVerdict.Unknown;
        }

        Span<char> actual = stackalloc char[FingerprintLength];
        Compute(key, secret, actual);
        return CryptographicOperations.FixedTimeEquals(AsBytes(actual), AsBytes(expected))
            ? FingerprintVerdict.Match
            : FingerprintVerdict.Mismatch;
    }

    private static ReadOnlySpan<byte> AsBytes(ReadOnlySpan<char> chars) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars);

    private static void Compute(byte[] key, ReadOnlySpan<char> secret, Span<char> fingerprint)
    {
        var length = Encoding.UTF8.GetByteCount(secret);
        var buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        try
        {
            Encoding.UTF8.GetBytes(secret, buffer);
            HMACSHA256.HashData(key, buffer, mac);
            Convert.TryToHexStringLower(mac[..(FingerprintLength / 2)], fingerprint, out _);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            CryptographicOperations.ZeroMemory(mac);
        }
    }

    private bool TryGetKey(string keyId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? key)
    {
        key = null;
        if (Keys() is { } keys && keys.Keys.TryGetValue(keyId, out key))
        {
            return true;
        }

        // A key this instance has not seen (another instance made it since): read the key ring again, once a minute at most.
        return Keys(rereadIfOlderThan: RereadAtMostEvery) is { } reread && reread.Keys.TryGetValue(keyId, out key);
    }

    private KeySet? Keys(TimeSpan? rereadIfOlderThan = null)
    {
        var keys = Volatile.Read(ref _keys);
        var limit = rereadIfOlderThan ?? CurrentKeyFor;
        if (keys is not null && (_configured is not null || _time.GetElapsedTime(Volatile.Read(ref _readAt)) < limit))
        {
            return keys.CurrentId is null ? null : keys;
        }

        lock (_lock)
        {
            if (_keys is not null && (_configured is not null || _time.GetElapsedTime(_readAt) < limit))
            {
                return _keys.CurrentId is null ? null : _keys;
            }

            var read = Read();
            if (read is not null || _keys is null)
            {
                _keys = read ?? KeySet.Empty;
            }

            Volatile.Write(ref _readAt, _time.GetTimestamp());
            return _keys.CurrentId is null ? null : _keys;
        }
    }

    private KeySet? Read()
    {
        if (_configured is not null)
        {
            var id = Convert.ToHexStringLower(SHA256.HashData(_configured))[..KeyIdLength];
            return new KeySet(id, new Dictionary<string, byte[]>(StringComparer.Ordinal) { [id] = Derive(_configured) });
        }

        try
        {
            var manager = _services.GetService(typeof(IKeyManager)) as IKeyManager;
            if (manager is null)
            {
                return Unavailable(null);
            }

            var keys = Collect(manager);
            if (keys.CurrentId is null && _services.GetService(typeof(IDataProtectionProvider)) is IDataProtectionProvider provider)
            {
                // An empty key ring makes its first key on first use.
                provider.CreateProtector(Purpose).Protect([1]);
                keys = Collect(manager);
            }

            return keys.CurrentId is null ? Unavailable(null) : keys;
        }
        catch (Exception ex)
        {
            return Unavailable(ex);
        }
    }

    private KeySet Collect(IKeyManager manager)
    {
        var now = _time.GetUtcNow();
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? current = null;
        var currentActivation = DateTimeOffset.MinValue;
        foreach (var key in manager.GetAllKeys())
        {
            if (key.IsRevoked || MasterKeyOf(key) is not { } master)
            {
                continue;
            }

            var id = key.KeyId.ToString("N", CultureInfo.InvariantCulture);
            found[id] = Derive(master);
            CryptographicOperations.ZeroMemory(master);
            // The newest key in its lifetime makes new fingerprints; every other key still checks old ones.
            if (key.ActivationDate <= now && key.ExpirationDate > now && key.ActivationDate > currentActivation)
            {
                (current, currentActivation) = (id, key.ActivationDate);
            }
        }

        return new KeySet(current, found);
    }

    // The master key of a Data Protection key, from its descriptor's own export (which carries it in clear, in memory).
    private static byte[]? MasterKeyOf(IKey key)
    {
        try
        {
            var element = key.Descriptor.ExportToXml().SerializedDescriptorElement;
            var value = element.Descendants().FirstOrDefault(e => e.Name.LocalName == "masterKey")?.Elements().FirstOrDefault(e => e.Name.LocalName == "value");
            return value is null ? null : Convert.FromBase64String(value.Value);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or InvalidOperationException or System.Xml.XmlException)
        {
            // A key this instance cannot read (protected with a certificate it lacks): fingerprints under it are unknown.
            return null;
        }
    }

    private static byte[] Derive(byte[] master) => HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: Encoding.ASCII.GetBytes(Purpose));

    private KeySet? Unavailable(Exception? ex)
    {
        if (!_warned)
        {
            _warned = true;
            Log.FingerprintKeysUnavailable(_logger, ex);
        }

        return null;
    }

    private sealed record KeySet(string? CurrentId, Dictionary<string, byte[]> Keys)
    {
        public static readonly KeySet Empty = new(null, new Dictionary<string, byte[]>(StringComparer.Ordinal));
    }
}
