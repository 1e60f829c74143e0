using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>What a successful key check leaves in the cache: the key's facts, never its secret or hash.</summary>
[ImmutableObject(true)]
internal sealed record ApiKeySnapshot(string Id, ApiKeyKind Kind, string Name, string TeamId, string? OwnerUserId);

/// <summary>
/// A well-formed key as presented in a request: its id, its secret, and what the cache needs (the cache key, a
/// SHA-256 of the secret, and the key's tag). It is a pure function of the presented string and says nothing about
/// whether the key is valid.
/// </summary>
internal sealed class PresentedApiKey(string keyId, string secret, string cacheKey)
{
    public string KeyId { get; } = keyId;

    public string Secret { get; } = secret;

    public string CacheKey { get; } = cacheKey;

    public string[] Tags { get; } = [ApiKeyVerifier.TagFor(keyId)];
}

/// <summary>
/// Checks a parsed key (id + secret) and returns its snapshot. The first check of a key runs Argon2id against
/// the stored hash; the result is cached under the key id and a SHA-256 of the presented secret, so later
/// requests with the same key cost a cache read. Concurrent first checks of one key share one Argon2id run
/// (HybridCache's stampede protection). Only successes are cached; every change to a key evicts its entries.
/// </summary>
internal sealed class ApiKeyVerifier
{
    private readonly HybridCache _cache;
    private readonly IApiKeyStore _store;
    private readonly ISecretHasher _hasher;
    private readonly ApiKeyFailureThrottle _throttle;
    private readonly ILogger<ApiKeyVerifier> _logger;
    private readonly HybridCacheEntryOptions _entryOptions;
    private readonly TimeSpan _storeTimeout;
    private readonly string _prefix;

    // Parsed keys by Authorization header string instance. Kestrel hands out the same string instance for a header
    // value that repeats on a keep-alive connection, so a client that sends its key on every request has it parsed,
    // checksummed and hashed once per connection instead of once per request. Entries are found by reference, never
    // by comparing contents (no timing signal about secrets), hold only what can be derived from the string itself,
    // and go away with the string.
    private readonly ConditionalWeakTable<string, PresentedApiKey> _presented = new();

    public ApiKeyVerifier(
        HybridCache cache,
        IApiKeyStore store,
        ISecretHasher hasher,
        ApiKeyFailureThrottle throttle,
        IOptions<VezaAuthenticationOptions> options,
        ILogger<ApiKeyVerifier> logger)
    {
        _cache = cache;
        _store = store;
        _hasher = hasher;
        _throttle = throttle;
        _logger = logger;
        var duration = options.Value.ApiKeys.CacheDuration;
        _entryOptions = new HybridCacheEntryOptions { Expiration = duration, LocalCacheExpiration = duration };
        _storeTimeout = options.Value.ApiKeys.StoreTimeout;
        _prefix = options.Value.ApiKeys.Prefix;
    }

    internal static string TagFor(string keyId) => "veza:apikey:" + keyId;

    /// <summary>
    /// Reads a key of ours from an Authorization header value: <paramref name="token"/> is the bearer token inside
    /// <paramref name="header"/>, already known to start with the prefix. Returns <see langword="null"/> when the key
    /// is malformed or its checksum is wrong.
    /// </summary>
    public PresentedApiKey? Read(string header, ReadOnlySpan<char> token)
    {
        if (_presented.TryGetValue(header, out var known))
        {
            return known;
        }

        if (!ApiKeyFormat.TryParse(token, _prefix, out var id, out var secret))
        {
            return null;
        }

        var keyId = id.ToString();
        var presented = new PresentedApiKey(keyId, secret.ToString(), CacheKey(keyId, secret));
        _presented.TryAdd(header, presented);
        return presented;
    }

    /// <summary>Checks the key. Throws <see cref="ApiKeyRejectedException"/>, <see cref="ApiKeyThrottledException"/>
    /// or <see cref="CredentialStoreUnavailableException"/> when it cannot be used.</summary>
    public ValueTask<ApiKeySnapshot> VerifyAsync(PresentedApiKey key, CancellationToken cancellationToken)
        => _cache.GetOrCreateAsync(key.CacheKey, (Verifier: this, Key: key),
            static (s, ct) => s.Verifier.VerifyUncachedAsync(s.Key.KeyId, s.Key.Secret, ct),
            _entryOptions, key.Tags, cancellationToken);

    /// <summary>Forgets every cached check of a key.</summary>
    public ValueTask EvictAsync(string keyId, CancellationToken cancellationToken) => _cache.RemoveByTagAsync(TagFor(keyId), cancellationToken);

    internal static string CacheKey(string keyId, ReadOnlySpan<char> secret)
    {
        Span<byte> ascii = stackalloc byte[ApiKeyFormat.SecretLength];
        var written = Encoding.ASCII.GetBytes(secret, ascii);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..written], digest);
        Span<char> hex = stackalloc char[2 * SHA256.HashSizeInBytes];
        Convert.TryToHexString(digest, hex, out _);
        return string.Concat("veza:ak:", keyId, ":", hex);
    }

    private async ValueTask<ApiKeySnapshot> VerifyUncachedAsync(string keyId, string secret, CancellationToken cancellationToken)
    {
        using var activity = VezaTelemetry.ActivitySource.StartActivity("veza.api_key.verify");
        activity?.SetTag("veza.api_key.id", keyId);

        if (_throttle.IsBlocked(keyId))
        {
            Log.ApiKeyThrottled(_logger, keyId);
            throw new ApiKeyThrottledException(_throttle.Window);
        }

        ApiKeyRecord? key;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_storeTimeout);
            key = await _store.FindByIdAsync(keyId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CredentialStoreUnavailableException(ex);
        }

        if (key is null)
        {
            _throttle.RecordFailure(keyId);
            throw new ApiKeyRejectedException("unknown key id");
        }

        VezaTelemetry.SecretVerifications.Add(1);
        var verification = _hasher.Verify(key.SecretHash, secret);
        if (verification == SecretVerificationResult.Failed)
        {
            _throttle.RecordFailure(keyId);
            throw new ApiKeyRejectedException("secret does not match");
        }

        if (key.Status != ApiKeyStatus.Active)
        {
            throw new ApiKeyRejectedException("key is revoked");
        }

        if (verification == SecretVerificationResult.SuccessRehashNeeded)
        {
            await UpgradeHashAsync(key, secret, cancellationToken).ConfigureAwait(false);
        }

        return new ApiKeySnapshot(key.Id, key.Kind, key.Name, key.TeamId, key.OwnerUserId);
    }

    private async ValueTask UpgradeHashAsync(ApiKeyRecord key, string secret, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _store.ReplaceSecretHashAsync(key.Id, key.SecretHash, _hasher.Hash(secret), cancellationToken).ConfigureAwait(false);
            if (result == ApiKeyStoreResult.Success)
            {
                Log.HashUpgraded(_logger, key.Id);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The key is valid; a failed upgrade only means it is tried again after the next check.
            Log.HashUpgradeFailed(_logger, ex, key.Id);
        }
    }
}
