using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Veza.Authentication.Changes;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Tokens;

/// <summary>The signing keys as one instance sees them at one time.</summary>
/// <param name="Signing">The credentials new tokens are signed with.</param>
/// <param name="Validation">Every published key: tokens signed by any of them are accepted.</param>
/// <param name="Jwks">The JWKS document (public parts only), serialised.</param>
internal sealed record SigningKeySet(SigningCredentials Signing, IReadOnlyList<SecurityKey> Validation, byte[] Jwks);

/// <summary>
/// Keeps the signing keys: generated on first use, rotated on a schedule, shared by every instance through
/// <see cref="ISigningKeyStore"/>, private parts protected with Data Protection. A new key is published for
/// <see cref="OAuthServerOptions.SigningKeyAnnouncement"/> before it signs; an old one stays published until the last
/// token it signed has expired. The set is read again from the store when the change feed says a key was added or
/// removed, and when the next of its keys' times comes (one starts signing, retires, leaves JWKS, or needs a
/// successor announced), and at the latest after <see cref="VezaStoreOptions.CacheDuration"/>.
/// </summary>
internal sealed class SigningKeyRing : IDisposable, IChangeListener
{
    /// <summary>The algorithms accepted for signing and validation; <c>none</c> and HMAC never are.</summary>
    public static readonly string[] AllowedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private readonly ISigningKeyStore _store;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;
    private readonly OAuthServerOptions _options;
    private readonly TimeSpan _cacheDuration;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly Dictionary<string, (SecurityKey Key, IDisposable Owner)> _loaded = new(StringComparer.Ordinal);

    // The signature providers of this ring's keys are cached here, not in the process-wide default cache: that one is
    // keyed by the public key, so a host started after another in the same process with the same stored key would
    // be handed a provider over the first host's disposed key, and refuse every token it signed.
    private readonly InMemoryCryptoProviderCache _providers = new();
    private readonly CryptoProviderFactory _crypto;
    private SigningKeySet? _current;

    // When the set must be read again, as UTC ticks: the next key time, or at once (0) when a change was announced.
    private long _readAgainAt;
    private long _announced;
    private long _forcedAt;

    public SigningKeyRing(ISigningKeyStore store, IDataProtectionProvider dataProtection, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _store = store;
        _crypto = new CryptoProviderFactory(_providers);
        _protector = dataProtection.CreateProtector("Veza.Authentication.SigningKeys.v1");
        _time = time;
        _options = options.Value.OAuth2;
        _cacheDuration = options.Value.Stores.CacheDuration;
    }

    /// <summary>The current set; read again (and rotated) when a change was announced or a key time has come.</summary>
    public async ValueTask<SigningKeySet> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _readAgainAt))
        {
            return current;
        }

        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            if (current is not null && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _readAgainAt))
            {
                return current;
            }

            var announced = Interlocked.Read(ref _announced);
            SigningKeySet loaded;
            DateTimeOffset next;
            try
            {
                (loaded, next) = await LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (current is not null && !cancellationToken.IsCancellationRequested)
            {
                // The store is unavailable: keep signing and validating with the keys already known.
                return current;
            }

            Volatile.Write(ref _current, loaded);
            Volatile.Write(ref _readAgainAt, next.UtcTicks);
            if (Interlocked.Read(ref _announced) != announced)
            {
                // A change announced while the set was read leaves it due again.
                Volatile.Write(ref _readAgainAt, 0);
            }

            return loaded;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// Reads the set again on the next use, when a token names a key this instance does not know (another instance
    /// may have just added it), at most once a second, so unknown key ids cannot make every request read the store.
    /// </summary>
    public bool ExpireForUnknownKey()
    {
        var last = Volatile.Read(ref _forcedAt);
        if (last != 0 && _time.GetElapsedTime(last) < TimeSpan.FromSeconds(1))
        {
            return false;
        }

        Volatile.Write(ref _forcedAt, _time.GetTimestamp());
        ReadAgain();
        return true;
    }

    /// <summary>A signing key was added or removed through some instance: the set is read again on next use.</summary>
    public void OnChanged(VezaChange change)
    {
        if (change.Kind == VezaChangeKind.SigningKeys)
        {
            ReadAgain();
        }
    }

    /// <summary>Reads the set again on next use.</summary>
    public void ForgetAll() => ReadAgain();

    private void ReadAgain()
    {
        Interlocked.Increment(ref _announced);
        Volatile.Write(ref _readAgainAt, 0);
    }

    private async Task<(SigningKeySet Set, DateTimeOffset ReadAgainAt)> LoadAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _store.PruneAsync(now, cancellationToken).ConfigureAwait(false);
        var keys = (await _store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(k => k.UnpublishAt > now).ToList();

        var signing = Signer(keys, now);
        if (signing is null)
        {
            // No key can sign now (first use, or every key has retired): one that signs at once.
            signing = NewKey(now, now);
            await AddAsync(signing, cancellationToken).ConfigureAwait(false);
            keys.Add(signing);
        }

        if (signing.SignsUntil - now <= _options.SigningKeyAnnouncement && !keys.Any(k => k.SignsFrom >= signing.SignsUntil))
        {
            // Announce the successor before the current key retires.
            var successor = NewKey(now, signing.SignsUntil);
            await AddAsync(successor, cancellationToken).ConfigureAwait(false);
            keys.Add(successor);
        }

        var validation = keys.Where(k => k.PublishedAt <= now).Select(Load).ToList();
        var signingKey = Load(signing);
        var set = new SigningKeySet(new SigningCredentials(signingKey, signing.Algorithm), validation, Jwks(keys.Where(k => k.PublishedAt <= now)));
        return (set, NextKeyTime(keys, signing, now));
    }

    // The first time after now at which the set as read stops being right: a key is published, starts or stops
    // signing, leaves JWKS, or the signing key nears its end without a successor. Never later than the cache duration.
    private DateTimeOffset NextKeyTime(List<SigningKeyRecord> keys, SigningKeyRecord signing, DateTimeOffset now)
    {
        var next = now + _cacheDuration;
        foreach (var time in keys.SelectMany(k => new[] { k.PublishedAt, k.SignsFrom, k.SignsUntil, k.UnpublishAt })
            .Append(signing.SignsUntil - _options.SigningKeyAnnouncement))
        {
            if (time > now && time < next)
            {
                next = time;
            }
        }

        return next;
    }

    // The key that signs now; when several could (instances that raced), the newest, by id to break ties, so every
    // instance picks the same one.
    private static SigningKeyRecord? Signer(List<SigningKeyRecord> keys, DateTimeOffset now)
        => keys.Where(k => k.SignsFrom <= now && now < k.SignsUntil)
            .OrderByDescending(k => k.SignsFrom).ThenBy(k => k.Id, StringComparer.Ordinal).FirstOrDefault();

    private async Task AddAsync(SigningKeyRecord key, CancellationToken cancellationToken)
    {
        if (await _store.AddAsync(key, cancellationToken).ConfigureAwait(false) != OAuthStoreResult.Success)
        {
            throw new InvalidOperationException("A new signing key could not be stored.");
        }
    }

    private SigningKeyRecord NewKey(DateTimeOffset now, DateTimeOffset signsFrom)
    {
        var algorithm = _options.SigningAlgorithm;
        byte[] pkcs8;
        if (algorithm == SecurityAlgorithms.EcdsaSha256)
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            pkcs8 = ec.ExportPkcs8PrivateKey();
        }
        else
        {
            using var rsa = RSA.Create(2048);
            pkcs8 = rsa.ExportPkcs8PrivateKey();
        }

        try
        {
            var signsUntil = signsFrom + _options.SigningKeyLifetime;
            return new SigningKeyRecord
            {
                Id = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
                Algorithm = algorithm,
                ProtectedPrivateKey = _protector.Protect(pkcs8),
                PublishedAt = now,
                SignsFrom = signsFrom,
                SignsUntil = signsUntil,
                // Tokens signed at the last moment live at most the longest lifetime, plus the allowed skew.
                UnpublishAt = signsUntil + _options.MaxAccessTokenLifetime + _options.ClockSkew,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private SecurityKey Load(SigningKeyRecord record)
    {
        lock (_loaded)
        {
            if (_loaded.TryGetValue(record.Id, out var known))
            {
                return known.Key;
            }

            var pkcs8 = _protector.Unprotect(record.ProtectedPrivateKey);
            try
            {
                (SecurityKey Key, IDisposable Owner) loaded;
                if (record.Algorithm == SecurityAlgorithms.EcdsaSha256)
                {
                    var ec = ECDsa.Create();
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    loaded = (new ECDsaSecurityKey(ec) { KeyId = record.Id, CryptoProviderFactory = _crypto }, ec);
                }
                else if (record.Algorithm == SecurityAlgorithms.RsaSha256)
                {
                    var rsa = RSA.Create();
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    loaded = (new RsaSecurityKey(rsa) { KeyId = record.Id, CryptoProviderFactory = _crypto }, rsa);
                }
                else
                {
                    throw new InvalidOperationException("A stored signing key has an algorithm that is not allowed.");
                }

                _loaded[record.Id] = loaded;
                return loaded.Key;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
    }

    private byte[] Jwks(IEnumerable<SigningKeyRecord> published)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            foreach (var record in published.OrderBy(k => k.PublishedAt).ThenBy(k => k.Id, StringComparer.Ordinal))
            {
                var key = Load(record);
                json.WriteStartObject();
                json.WriteString("kid", record.Id);
                json.WriteString("use", "sig");
                json.WriteString("alg", record.Algorithm);
                if (key is RsaSecurityKey rsa)
                {
                    var parameters = rsa.Rsa.ExportParameters(includePrivateParameters: false);
                    json.WriteString("kty", "RSA");
                    json.WriteString("n", Base64UrlEncoder.Encode(parameters.Modulus));
                    json.WriteString("e", Base64UrlEncoder.Encode(parameters.Exponent));
                }
                else if (key is ECDsaSecurityKey ec)
                {
                    var parameters = ec.ECDsa.ExportParameters(includePrivateParameters: false);
                    json.WriteString("kty", "EC");
                    json.WriteString("crv", "P-256");
                    json.WriteString("x", Base64UrlEncoder.Encode(parameters.Q.X));
                    json.WriteString("y", Base64UrlEncoder.Encode(parameters.Q.Y));
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public void Dispose()
    {
        lock (_loaded)
        {
            foreach (var (_, owner) in _loaded.Values)
            {
                owner.Dispose();
            }

            _loaded.Clear();
        }

        _refreshing.Dispose();
        _providers.Dispose();
    }
}
