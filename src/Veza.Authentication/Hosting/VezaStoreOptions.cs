namespace Veza.Authentication.Hosting;

/// <summary>
/// How the library uses its stores: how long a call may take, how long an answer is remembered in memory, and how
/// every instance follows the change feed (<see cref="Stores.IVezaChangeFeed"/>) so that a change made through one
/// instance holds on the others within <see cref="ChangePollInterval"/>.
/// </summary>
public sealed class VezaStoreOptions
{
    /// <summary>
    /// How long a store or directory call may take while a request waits on it before the request fails with 503.
    /// Default 5 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a verified credential (an API key or client secret after its Argon2id check) and the state of a
    /// client, app or grant are remembered while the change feed says nothing about them. Default 5 minutes. Changes
    /// evict sooner: at once on the instance that made them, within <see cref="ChangePollInterval"/> on the others.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most verified credentials (and, apart, the most refused ones) each cache remembers: API keys, client
    /// secrets, client and grant states. Default 100,000. Past it, the entries closest to expiring are dropped (at
    /// most a tenth more, and never more than 1,024 more, are held in between), so memory stays bounded however many distinct credentials are
    /// used; a credential dropped costs one more check on its next use.
    /// </summary>
    public int MaxCachedCredentials { get; set; } = 100_000;

    /// <summary>
    /// How often each instance reads the change feed. Default 1 second: the longest a revoked key, client, grant or
    /// token stays usable on another instance, and the longest the OAuth2 switch or a new signing key takes to
    /// reach it.
    /// </summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a missing sequence is waited for before a reader passes it (a write that took its sequence and then
    /// rolled back leaves a gap that never fills). Default 30 seconds. Only stores that cannot assign sequences in
    /// commit order depend on it.
    /// </summary>
    public TimeSpan ChangeGapWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the change feed may stay unreadable before an instance forgets everything it remembers (verified
    /// credentials, client and grant states, the switch, revoked tokens) and reads the stores again for each request,
    /// failing closed with 503 while they are unavailable. Default 30 seconds.
    /// </summary>
    public TimeSpan MaxChangeLag { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long feed entries are kept. Default 1 hour. An instance that was paused or cut off for longer finds the
    /// entries it missed pruned and forgets everything it remembers, rather than trust what may be stale.
    /// </summary>
    public TimeSpan ChangeRetention { get; set; } = TimeSpan.FromHours(1);
}
