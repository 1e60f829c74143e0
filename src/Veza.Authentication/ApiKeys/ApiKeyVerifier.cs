using System.ComponentModel;
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
    }

    internal static string TagFor(string keyId) => "veza:apikey:" + keyId;

    /// <summary>Checks the key. Throws <see cref="ApiKeyRejectedException"/>, <see cref="ApiKeyThrottledException"/>
    /// or <see cref="CredentialStoreUnavailableException"/> when it cannot be used.</summary>
    public ValueTask<ApiKeySnapshot> VerifyAsync(string keyId, string secret, CancellationToken cancellationToken)
    {
        var state = new VerifyState(this, keyId, secret);
        return _cache.GetOrCreateAsync(CacheKey(keyId, secret), state, static (s, ct) => s.Verifier.VerifyUncachedAsync(s.KeyId, s.Secret, ct),
            _entryOptions, [TagFor(keyId)], cancellationToken);
    }

    /// <summary>Forgets every cached check of a key.</summary>
    public ValueTask EvictAsync(string keyId, CancellationToken cancellationToken) => _cache.RemoveByTagAsync(TagFor(keyId), cancellationToken);

    private static string CacheKey(string keyId, ReadOnlySpan<char> secret)
    {
        Span<byte> ascii = stackalloc byte[ApiKeyFormat.SecretLength];
        var written = Encoding.ASCII.GetBytes(secret, ascii);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..written], digest);
        return string.Concat("veza:ak:", keyId, ":", Convert.ToHexString(digest));
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

    private readonly record struct VerifyState(ApiKeyVerifier Verifier, string KeyId, string Secret);
}
