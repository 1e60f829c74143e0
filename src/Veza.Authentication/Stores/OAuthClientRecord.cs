namespace Veza.Authentication.Stores;

/// <summary>
/// A stored OAuth2 registration. Clients (<see cref="OAuthClientKind.Client"/>) are backend services that get access
/// tokens with the client credentials grant and act as their team's service account with one role. Apps
/// (<see cref="OAuthClientKind.App"/>) act for a user who signed in and consented, with the authorization code grant;
/// their settings are in <see cref="App"/>. Both share one registry because the token endpoint authenticates both by
/// <c>client_id</c>. A registration never holds a secret, only hashes.
/// </summary>
public sealed record OAuthClientRecord
{
    /// <summary>The public <c>client_id</c>.</summary>
    public required string Id { get; init; }

    /// <summary>A client (client credentials) or an app (authorization code for a user).</summary>
    public OAuthClientKind Kind { get; init; }

    /// <summary>An app's redirect settings; <see langword="null"/> for a client.</summary>
    public OAuthAppSettings? App { get; init; }

    /// <summary>The display name, unique among the clients of the team (ordinal, case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>The team the client acts in; for an app, the team that registered it (an app acts in its user's team).</summary>
    public required string TeamId { get; init; }

    /// <summary>The role the client holds in its team; its tokens never carry more than this role's permissions. Empty
    /// for an app, whose tokens carry its user's roles.</summary>
    public required string Role { get; init; }

    /// <summary>The scopes (permission names) the client may ask for.</summary>
    public required IReadOnlyList<string> AllowedScopes { get; init; }

    /// <summary>How long the client's access tokens live.</summary>
    public required TimeSpan AccessTokenLifetime { get; init; }

    /// <summary>Active or inactive (revoked).</summary>
    public OAuthClientStatus Status { get; init; }

    /// <summary>Who revoked the client, while it is inactive.</summary>
    public string? RevokedBy { get; init; }

    /// <summary>The secrets the client may authenticate with: at most <see cref="MaxSecrets"/>, for rotation.</summary>
    public required IReadOnlyList<OAuthClientSecretRecord> Secrets { get; init; }

    /// <summary>Who created the client (a subject, or <c>system</c>).</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When the client was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the client last got a token, as last recorded (UTC).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>How many secrets a client holds at most: the old and the new during a rotation.</summary>
    public const int MaxSecrets = 2;
}

/// <summary>Whether a registration is a client or an app.</summary>
public enum OAuthClientKind
{
    /// <summary>A backend service with the client credentials grant, scoped to one team.</summary>
    Client = 0,

    /// <summary>A third-party app acting for a user, with the authorization code grant and PKCE.</summary>
    App = 1,
}

/// <summary>Where an app may send its users back to.</summary>
public sealed record OAuthAppSettings
{
    /// <summary>The app's address; redirect URIs use its scheme and lie in its host or a subdomain of it.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>The registered redirect URIs, matched character for character at authorization.</summary>
    public required IReadOnlyList<string> RedirectUris { get; init; }

    /// <summary>A public app (a native or browser app) holds no secret and authenticates with PKCE alone.</summary>
    public bool IsPublic { get; init; }

    /// <summary>Discouraged: any absolute http(s) redirect URI is accepted, registered or not.</summary>
    public bool AllowAnyRedirectUri { get; init; }

    /// <summary>A registered loopback redirect URI (<c>http://127.0.0.1</c>, <c>http://[::1]</c>) matches with any port,
    /// for native apps (RFC 8252 §7.3).</summary>
    public bool AllowLoopbackRedirectUris { get; init; }
}

/// <summary>One secret of a client, as a hash.</summary>
/// <param name="Id">The secret's id, shown in listings so a secret can be removed.</param>
/// <param name="Hash">The hash, as produced by the secret hasher (an Argon2id PHC string by default).</param>
/// <param name="CreatedAt">When it was added (UTC).</param>
/// <param name="ExpiresAt">When it stops working (UTC), or <see langword="null"/> for never.</param>
public sealed record OAuthClientSecretRecord(string Id, string Hash, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>Whether a client may get and use tokens.</summary>
public enum OAuthClientStatus
{
    /// <summary>The client authenticates and its tokens are accepted.</summary>
    Active = 0,

    /// <summary>Revoked: the client cannot get tokens and the tokens it holds are refused. It can be reinstated.</summary>
    Inactive = 1,
}

/// <summary>A filter and page cursor for <see cref="IOAuthClientStore.ListAsync"/>.</summary>
public sealed record OAuthClientQuery
{
    /// <summary>Only clients of this team; <see langword="null"/> for every team.</summary>
    public string? TeamId { get; init; }

    /// <summary>Only registrations of this kind; <see langword="null"/> for both.</summary>
    public OAuthClientKind? Kind { get; init; }

    /// <summary>Only registrations whose name contains this text, ignoring case: the upper-case invariant forms
    /// (<see cref="string.ToUpperInvariant()"/>) of the name and of this text are compared ordinally, as names are folded
    /// for uniqueness. Every character is literal text (<c>%</c>, <c>_</c>, <c>\</c> and <c>[</c> are not wildcards).
    /// <see langword="null"/> or empty does not filter; it combines with the other filters and the cursor.</summary>
    public string? NameContains { get; init; }

    /// <summary>Only clients whose id sorts after this one (ordinal): the page cursor.</summary>
    public string? AfterId { get; init; }

    /// <summary>The most clients to return, 1 to 1000.</summary>
    public int PageSize { get; init; } = 100;
}

/// <summary>One page of clients, ordered by id (ordinal).</summary>
/// <param name="Items">The clients.</param>
/// <param name="HasMore">Whether more clients match after the last one.</param>
public sealed record OAuthClientPage(IReadOnlyList<OAuthClientRecord> Items, bool HasMore);

/// <summary>The outcome of a write to an OAuth2 store.</summary>
public enum OAuthStoreResult
{
    /// <summary>The write was applied.</summary>
    Success = 0,

    /// <summary>Nothing has that id.</summary>
    NotFound = 1,

    /// <summary>Another client of the team has that name; nothing was written.</summary>
    DuplicateName = 2,

    /// <summary>The id is taken, or the stored value changed meanwhile; nothing was written.</summary>
    Conflict = 3,

    /// <summary>A limit was reached (clients per team, secrets per client); nothing was written.</summary>
    QuotaExceeded = 4,
}
