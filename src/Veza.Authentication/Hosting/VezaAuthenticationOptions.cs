namespace Veza.Authentication.Hosting;

/// <summary>Options for <c>AddVezaAuthentication</c>. They are validated when the host starts.</summary>
public sealed class VezaAuthenticationOptions
{
    /// <summary>API key settings.</summary>
    public ApiKeyOptions ApiKeys { get; } = new();

    /// <summary>Argon2id parameters for new secret hashes.</summary>
    public Argon2idOptions Argon2id { get; } = new();

    /// <summary>
    /// Limits on secret checks (Argon2id runs) for every credential with a secret: how many run at once in the
    /// process, and how many failed checks one client address may cause.
    /// </summary>
    public SecretCheckOptions SecretChecks { get; } = new();

    /// <summary>The OAuth 2.0 authorization server and its access tokens.</summary>
    public OAuthServerOptions OAuth2 { get; } = new();

    /// <summary>
    /// What each role allows: role name to permission names. A principal carries the permissions of all its roles
    /// as <see cref="Principals.VezaClaimTypes.Permission"/> claims, for <c>RequireVezaPermission</c> policies.
    /// Empty by default: the host defines its roles. A role that is not listed grants no permission.
    /// </summary>
    public IDictionary<string, ISet<string>> Roles { get; } = new Dictionary<string, ISet<string>>(StringComparer.Ordinal);

    /// <summary>
    /// The role that makes a user an administrator of a team. Default <c>admin</c>. An administrator of the root
    /// team manages every team's keys; an administrator of another team manages that team's keys.
    /// </summary>
    public string AdminRole { get; set; } = "admin";

    /// <summary>
    /// The single role a team key's service account holds. Default <c>oaa_push</c> (Veza's name for the role that
    /// may only push integration data). Its permissions come from <see cref="Roles"/>.
    /// </summary>
    public string TeamKeyRole { get; set; } = "oaa_push";

    /// <summary>
    /// Whether <c>AddVezaAuthentication</c> makes <c>Veza</c> the host's default authentication scheme. Default
    /// <see langword="true"/>. Set it to <see langword="false"/> to keep a default the host already has (a cookie
    /// scheme, say); <c>Veza</c> stays addressable by name, for example
    /// <c>[Authorize(AuthenticationSchemes = VezaAuthenticationDefaults.AuthenticationScheme)]</c>.
    /// </summary>
    public bool SetDefaultScheme { get; set; } = true;

    /// <summary>
    /// Hooks into the bearer schemes' failures, challenges and 403 answers (see <see cref="VezaBearerEvents"/>).
    /// A type registered as <c>EventsType</c> on <see cref="VezaBearerSchemeOptions"/> takes precedence.
    /// </summary>
    public VezaBearerEvents Events { get; set; } = new();

    /// <summary>Adds (or replaces) a role and the permissions it grants.</summary>
    /// <param name="role">The role name.</param>
    /// <param name="permissions">The permissions it grants.</param>
    /// <returns>These options, for chaining.</returns>
    public VezaAuthenticationOptions AddRole(string role, params IEnumerable<string> permissions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentNullException.ThrowIfNull(permissions);
        Roles[role] = new HashSet<string>(permissions, StringComparer.Ordinal);
        return this;
    }
}

/// <summary>API key settings.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>
    /// The prefix of every key string (1 to 16 lowercase ASCII letters or digits). Default <c>veza</c>.
    /// Changing it makes every key issued before unrecognisable.
    /// </summary>
    public string Prefix { get; set; } = "veza";

    /// <summary>
    /// How long a successful key check is remembered, so that Argon2id runs once per key rather than per request.
    /// Default 5 minutes. Every change made through this instance evicts at once; with several instances another
    /// instance may honour a revoked key for up to this long.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often last-use times are written to the store in one batch. Default 30 seconds. A shorter interval
    /// means fresher <c>last_access_at</c> values and more store writes.
    /// </summary>
    public TimeSpan LastAccessFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most personal keys one user may hold in one team. Default 20. Creating one more answers 429
    /// (<c>RESOURCE_EXHAUSTED</c>, reason <c>KEY_QUOTA_EXCEEDED</c>) until one is deleted.
    /// </summary>
    public int MaxPersonalKeysPerUserAndTeam { get; set; } = 20;

    /// <summary>
    /// The most team keys one team may hold. Default 50. Creating one more answers 429 (<c>KEY_QUOTA_EXCEEDED</c>).
    /// </summary>
    public int MaxTeamKeysPerTeam { get; set; } = 50;

    /// <summary>
    /// How long a store or directory call may take while authenticating before the request fails with 503.
    /// Default 5 seconds.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Limits on secret checks. A secret check (Argon2id) costs tens of milliseconds of CPU and about
/// <see cref="Argon2idOptions.MemorySizeKiB"/> of memory, so the library bounds what callers can make it spend:
/// checks that succeed are remembered, checks run a few at a time, and a client address that keeps failing is
/// slowed down before any check runs for it. A correct secret that was checked before is never refused by
/// these limits.
/// </summary>
public sealed class SecretCheckOptions
{
    /// <summary>
    /// How many secret checks may run at once in the process. Default: half the processor count, at least 1, so
    /// that a flood of first-time or wrong secrets leaves the other cores to requests whose checks are cached.
    /// </summary>
    public int MaxConcurrentChecks { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// How long a check waits for one of <see cref="MaxConcurrentChecks"/> before the request is answered 503 with
    /// <c>Retry-After</c>. Default 1 second.
    /// </summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many failed checks (wrong secret, unknown or revoked credential) one client address may cause per
    /// <see cref="FailureWindow"/>; checks that are still running count too. Past it, that address's uncached
    /// checks are answered 429 without touching the store or running Argon2id, while other addresses, and this
    /// address's already-verified credentials, are unaffected. Default 10. The address is
    /// <c>HttpContext.Connection.RemoteIpAddress</c> (IPv6 grouped by /64); behind a proxy, use the forwarded-headers
    /// middleware so that it is the client's.
    /// </summary>
    public int FailureLimitPerSource { get; set; } = 10;

    /// <summary>The window for <see cref="FailureLimitPerSource"/>. Default 1 minute.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The key of the short fingerprints kept beside secret hashes (16 bits of HMAC-SHA256 of the secret), which refuse
    /// all but one in 65,536 wrong secrets without running Argon2id. Default <see langword="null"/>: the key is derived
    /// from the current Data Protection key, so it survives restarts and is shared by every instance that shares the
    /// key ring. Set it (base64, at least 32 bytes, from your secret configuration, never from the credential
    /// database) to use a key of your own. Changing it, or a key ring that rotates, costs each secret one Argon2id run
    /// at its next use, after which it gains a fingerprint under the new key; nothing is ever refused for it.
    /// </summary>
    public string? FingerprintKey { get; set; }
}
