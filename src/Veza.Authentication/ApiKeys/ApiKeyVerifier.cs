using System.ComponentModel;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Veza.Authentication.Changes;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>What a successful key check leaves in the cache: the key's facts, never its secret or hash.</summary>
[ImmutableObject(true)]
internal sealed record ApiKeySnapshot(string Id, ApiKeyKind Kind, string Name, string TeamId, string? OwnerUserId);

/// <summary>
/// A well-formed key as presented in a request: its id, its secret, the cache key (the id and a SHA-256 of the
/// secret), and the last check this very header string led to. The first three are a pure function of the presented
/// string and say nothing about whether the key is valid; the last is only used while its generation is current.
/// </summary>
internal sealed class PresentedApiKey(string keyId, string secret, string cacheKey)
{
    public string KeyId { get; } = keyId;

    public string Secret { get; } = secret;

    public string CacheKey { get; } = cacheKey;

    public SecretCheck<ApiKeySnapshot>? LastCheck { get; set; }
}

/// <summary>
/// Checks a presented key and returns its snapshot. The first check of a key and secret runs Argon2id against the
/// stored hash; the outcome is remembered in this process (see <see cref="SecretCheckCache{T}"/>), so later requests
/// cost a lookup. In order, a check: takes a permit from the client address's failure throttle (429 when it has
/// failed too often), reads the key (503 when the store fails), refuses an unknown or revoked key without running
/// Argon2id (and remembers a revoked one until it is reinstated), refuses a secret whose keyed fingerprint disagrees
/// (again without Argon2id), waits for a slot of the process-wide bound on Argon2id runs (503 when none frees up in
/// time), and compares the secret. Concurrent first checks of one key and secret share one run.
/// </summary>
internal sealed class ApiKeyVerifier : IChangeListener
{
    private readonly SecretCheckCache<ApiKeySnapshot> _cache;
    private readonly IApiKeyStore _store;
    private readonly StoredSecrets _secrets;
    private readonly SourceFailureThrottle _throttle;
    private readonly TimeSpan _storeTimeout;
    private readonly string _prefix;
    private readonly SecretHashUpgrader _upgrader;

    // Parsed keys by Authorization header string instance. Kestrel hands out the same string instance for a header
    // value that repeats on a keep-alive connection, so a client that sends its key on every request has it parsed,
    // checksummed and hashed once per connection instead of once per request. Entries are found by reference, never
    // by comparing contents (no timing signal about secrets), and go away with the string.
    private readonly ConditionalWeakTable<string, PresentedApiKey> _presented = new();

    public ApiKeyVerifier(
        IApiKeyStore store,
        StoredSecrets secrets,
        SourceFailureThrottle throttle,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time,
        SecretHashUpgrader upgrader)
    {
        _store = store;
        _secrets = secrets;
        _throttle = throttle;
        _upgrader = upgrader;
        _cache = new SecretCheckCache<ApiKeySnapshot>(options.Value.Stores.CacheDuration, options.Value.Stores.MaxCachedCredentials, time);
        _storeTimeout = options.Value.Stores.Timeout;
        _prefix = options.Value.ApiKeys.Prefix;
    }

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

    /// <summary>
    /// Checks the key for a request from <paramref name="client"/> (the address failures are counted against).
    /// Throws <see cref="CredentialRejectedException"/>, <see cref="CredentialThrottledException"/>,
    /// <see cref="SecretCheckBusyException"/> or <see cref="CredentialStoreUnavailableException"/> when it cannot be used.
    /// </summary>
    public ValueTask<ApiKeySnapshot> VerifyAsync(PresentedApiKey key, IPAddress? client, CancellationToken cancellationToken)
    {
        var stamp = _cache.Stamp(key.KeyId);
        var last = key.LastCheck;
        if (last?.Value is { } snapshot && _cache.IsCurrent(last, stamp))
        {
            return ValueTask.FromResult(snapshot);
        }

        return VerifySlowAsync(key, stamp, SourceFailureThrottle.SourceOf(client), cancellationToken);
    }

    /// <summary>
    /// Forgets every remembered check of a key, including checks still running: from the next request that starts
    /// after this returns, the key is read from the store again.
    /// </summary>
    public void Evict(string keyId) => _cache.Invalidate(keyId);

    /// <summary>How many checks are remembered (for tests and diagnostics).</summary>
    internal int CachedChecks => _cache.Count;

    /// <summary>A key changed on some instance (revoked, reinstated, renamed, deleted): its checks are forgotten.</summary>
    public void OnChanged(VezaChange change)
    {
        if (change.Kind == VezaChangeKind.ApiKey)
        {
            _cache.Invalidate(change.Id);
        }
    }

    /// <summary>Forgets every remembered check.</summary>
    public void ForgetAll() => _cache.InvalidateAll();

    internal static string CacheKey(string keyId, ReadOnlySpan<char> secret) => SecretHashUpgrader.CacheKey("veza:ak:", keyId, secret);

    private async ValueTask<ApiKeySnapshot> VerifySlowAsync(PresentedApiKey key, long stamp, string source, CancellationToken cancellationToken)
    {
        var check = _cache.Find(key.CacheKey, stamp);
        if (check is null && _cache.FindRefusal(key.KeyId, stamp) is { } refusal)
        {
            // A revoked key is refused from memory, and every refusal counts against the address that sent it.
            if (!_throttle.TryReserve(source, out var retryAfter))
            {
                throw new CredentialThrottledException(retryAfter);
            }

            check = refusal;
        }

        check ??= await _cache.RunOnceAsync(key.CacheKey, stamp, (Verifier: this, Key: key, Stamp: stamp, Source: source),
            static s => s.Verifier.CheckAsync(s.Key, s.Stamp, s.Source), cancellationToken).ConfigureAwait(false);
        key.LastCheck = check;
        return check.Value ?? throw new CredentialRejectedException(VezaAuthenticationFailureKind.Revoked, "key is revoked");
    }

    private async Task<SecretCheck<ApiKeySnapshot>> CheckAsync(PresentedApiKey presented, long stamp, string source)
    {
        if (!_throttle.TryReserve(source, out var retryAfter))
        {
            throw new CredentialThrottledException(retryAfter);
        }

        // The permit is kept for a failure of the caller's making and given back otherwise.
        var refund = true;
        using var activity = VezaTelemetry.ActivitySource.StartActivity("veza.api_key.verify");
        activity?.SetTag("veza.api_key.id", presented.KeyId);
        try
        {
            var key = await StoreRead.WithTimeoutAsync((Store: _store, Id: presented.KeyId), static (s, ct) => s.Store.FindByIdAsync(s.Id, ct), _storeTimeout)
                .ConfigureAwait(false);

            if (key is null)
            {
                refund = false;
                throw new CredentialRejectedException(VezaAuthenticationFailureKind.Unknown, "unknown key id");
            }

            if (key.Status != ApiKeyStatus.Active)
            {
                // Refused before Argon2id, as fast as an unknown id; remembered until the key changes again.
                refund = false;
                return _cache.RememberRefusal(key.Id, stamp);
            }

            var verification = await _secrets.VerifyAsync(key.SecretHash, presented.Secret).ConfigureAwait(false);
            if (!verification.Matches)
            {
                refund = false;
                throw new CredentialRejectedException(VezaAuthenticationFailureKind.WrongSecret, "secret does not match");
            }

            _upgrader.UpgradeInBackground(key.Id, key.SecretHash, presented.Secret, verification.Upgrade, async (hash, ct) =>
                await _store.ReplaceSecretHashAsync(key.Id, key.SecretHash, hash, ct).ConfigureAwait(false) == ApiKeyStoreResult.Success);

            return _cache.Remember(presented.CacheKey, new ApiKeySnapshot(key.Id, key.Kind, key.Name, key.TeamId, key.OwnerUserId), stamp);
        }
        finally
        {
            if (refund)
            {
                _throttle.Release(source);
            }
        }
    }
}
