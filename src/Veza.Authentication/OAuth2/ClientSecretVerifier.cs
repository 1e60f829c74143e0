using System.Net;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Changes;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>What a verified client may do, as read when its secret was checked.</summary>
internal sealed record ClientSnapshot(
    string Id, string Name, string TeamId, string Role, string[] AllowedScopes, TimeSpan AccessTokenLifetime, string SecretId, DateTimeOffset? SecretExpiresAt,
    OAuthClientKind Kind = OAuthClientKind.Client);

/// <summary>
/// Checks a client's id and secret at the token, revocation and introspection endpoints, with the same protections
/// as API keys: the client address's failure throttle is asked first, revoked and unknown clients and secrets whose
/// keyed fingerprint disagrees are refused before Argon2id, checks run inside the process-wide bound, concurrent first checks share one run, and a success is
/// remembered in this process (stamped with the client's generation, so every change to the client counts at once).
/// A secret in the library's format names the secret it is, so one Argon2id run decides; any other string is tried
/// against each unexpired secret of the client (two at most).
/// </summary>
internal sealed class ClientSecretVerifier : IChangeListener
{
    private readonly SecretCheckCache<ClientSnapshot> _cache;
    private readonly IOAuthClientStore _store;
    private readonly StoredSecrets _secrets;
    private readonly SourceFailureThrottle _throttle;
    private readonly SecretHashUpgrader _upgrader;
    private readonly TimeProvider _time;
    private readonly TimeSpan _storeTimeout;
    private readonly string _prefix;

    public ClientSecretVerifier(
        IOAuthClientStore store,
        StoredSecrets secrets,
        SourceFailureThrottle throttle,
        SecretHashUpgrader upgrader,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time)
    {
        _store = store;
        _secrets = secrets;
        _throttle = throttle;
        _upgrader = upgrader;
        _time = time;
        _cache = new SecretCheckCache<ClientSnapshot>(options.Value.Stores.CacheDuration, options.Value.Stores.MaxCachedCredentials, time);
        _storeTimeout = options.Value.Stores.Timeout;
        _prefix = options.Value.OAuth2.ClientSecretPrefix;
    }

    /// <summary>
    /// Throws <see cref="CredentialRejectedException"/>, <see cref="CredentialThrottledException"/>,
    /// <see cref="SecretCheckBusyException"/> or <see cref="CredentialStoreUnavailableException"/> when the client
    /// cannot authenticate.
    /// </summary>
    public async ValueTask<ClientSnapshot> VerifyAsync(string clientId, string secret, IPAddress? address, CancellationToken cancellationToken)
    {
        if (!IsPlausible(clientId) || secret.Length is 0 or > 256)
        {
            throw new CredentialRejectedException(VezaAuthenticationFailureKind.Malformed, "malformed client id or secret");
        }

        var stamp = _cache.Stamp(clientId);
        var cacheKey = SecretHashUpgrader.CacheKey("veza:cs:", clientId, secret);
        var source = SourceFailureThrottle.SourceOf(address);
        var check = _cache.Find(cacheKey, stamp);
        if (check is null && _cache.FindRefusal(clientId, stamp) is { } refusal)
        {
            if (!_throttle.TryReserve(source, out var retryAfter))
            {
                throw new CredentialThrottledException(retryAfter);
            }

            check = refusal;
        }

        check ??= await _cache.RunOnceAsync(cacheKey, stamp, (Verifier: this, ClientId: clientId, Secret: secret, CacheKey: cacheKey, Stamp: stamp, Source: source),
            static s => s.Verifier.CheckAsync(s.ClientId, s.Secret, s.CacheKey, s.Stamp, s.Source), cancellationToken).ConfigureAwait(false);
        var client = check.Value ?? throw new CredentialRejectedException(VezaAuthenticationFailureKind.Revoked, "client is revoked");
        if (client.SecretExpiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            throw new CredentialRejectedException(VezaAuthenticationFailureKind.Expired, "client secret has expired");
        }

        return client;
    }

    /// <summary>
    /// Identifies a public app by its client id alone (it holds no secret; PKCE protects its codes). Anything that is not
    /// an active public app is refused, and counted by the address's failure throttle like a wrong secret.
    /// </summary>
    public async ValueTask<ClientSnapshot> IdentifyPublicAsync(string clientId, IPAddress? address, CancellationToken cancellationToken)
    {
        if (!IsPlausible(clientId))
        {
            throw new CredentialRejectedException(VezaAuthenticationFailureKind.Malformed, "malformed client id");
        }

        var source = SourceFailureThrottle.SourceOf(address);
        if (!_throttle.TryReserve(source, out var retryAfter))
        {
            throw new CredentialThrottledException(retryAfter);
        }

        OAuthClientRecord? client;
        try
        {
            client = await StoreRead.WithTimeoutAsync((Store: _store, Id: clientId), static (s, ct) => s.Store.FindByIdAsync(s.Id, ct), _storeTimeout)
                .ConfigureAwait(false);
        }
        catch
        {
            // A store failure is not the caller's failure.
            _throttle.Release(source);
            throw;
        }

        if (client is not { Kind: OAuthClientKind.App, Status: OAuthClientStatus.Active, App.IsPublic: true })
        {
            throw (client is null ? new CredentialRejectedException(VezaAuthenticationFailureKind.Unknown, "unknown client id") : new CredentialRejectedException(VezaAuthenticationFailureKind.WrongSecret, "client secret is required"));
        }

        _throttle.Release(source);
        return new ClientSnapshot(client.Id, client.Name, client.TeamId, client.Role, [.. client.AllowedScopes], client.AccessTokenLifetime, string.Empty, null,
            OAuthClientKind.App);
    }

    /// <summary>Forgets every remembered check of the client, including checks still running.</summary>
    public void Evict(string clientId) => _cache.Invalidate(clientId);

    /// <summary>A client or app changed on some instance: its secret checks are forgotten.</summary>
    public void OnChanged(VezaChange change)
    {
        if (change.Kind == VezaChangeKind.Client)
        {
            _cache.Invalidate(change.Id);
        }
    }

    /// <summary>Forgets every remembered check.</summary>
    public void ForgetAll() => _cache.InvalidateAll();

    /// <summary>Client ids are 1 to 64 ASCII letters, digits, '-', '_' or '.': anything else is refused without I/O.</summary>
    public static bool IsPlausible(string? clientId)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > 64)
        {
            return false;
        }

        foreach (var c in clientId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<SecretCheck<ClientSnapshot>> CheckAsync(string clientId, string secret, string cacheKey, long stamp, string source)
    {
        if (!_throttle.TryReserve(source, out var retryAfter))
        {
            throw new CredentialThrottledException(retryAfter);
        }

        var refund = true;
        using var activity = VezaTelemetry.ActivitySource.StartActivity("veza.oauth2_client.verify");
        activity?.SetTag("veza.oauth2.client_id", clientId);
        try
        {
            var client = await StoreRead.WithTimeoutAsync((Store: _store, Id: clientId), static (s, ct) => s.Store.FindByIdAsync(s.Id, ct), _storeTimeout)
                .ConfigureAwait(false);

            if (client is null)
            {
                refund = false;
                throw new CredentialRejectedException(VezaAuthenticationFailureKind.Unknown, "unknown client id");
            }

            if (client.Status != OAuthClientStatus.Active)
            {
                refund = false;
                return _cache.RememberRefusal(client.Id, stamp);
            }

            var now = _time.GetUtcNow();
            var named = ApiKeyFormat.TryParse(secret, _prefix, out var secretId, out _) ? secretId : null;
            foreach (var candidate in client.Secrets)
            {
                if ((named is not null && candidate.Id != named) || candidate.ExpiresAt <= now)
                {
                    continue;
                }

                var verification = await _secrets.VerifyAsync(candidate.Hash, secret).ConfigureAwait(false);
                if (!verification.Matches)
                {
                    continue;
                }

                _upgrader.UpgradeInBackground(client.Id + "/" + candidate.Id, candidate.Hash, secret, verification.Upgrade, async (hash, ct) =>
                    await _store.ReplaceSecretHashAsync(client.Id, candidate.Id, candidate.Hash, hash, ct).ConfigureAwait(false) == OAuthStoreResult.Success);

                return _cache.Remember(cacheKey, new ClientSnapshot(client.Id, client.Name, client.TeamId, client.Role,
                    [.. client.AllowedScopes], client.AccessTokenLifetime, candidate.Id, candidate.ExpiresAt, client.Kind), stamp);
            }

            refund = false;
            throw new CredentialRejectedException(VezaAuthenticationFailureKind.WrongSecret, "secret does not match");
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
