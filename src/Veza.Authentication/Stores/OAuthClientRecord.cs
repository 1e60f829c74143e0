namespace Veza.Authentication.Stores;

/// <summary>
/// A stored OAuth2 client: a backend service that gets access tokens with the client credentials grant and acts
/// as its team's service account with one role. It never holds a secret, only hashes.
/// </summary>
public sealed record OAuthClientRecord
{
    /// <summary>The public <c>client_id</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The display name, unique among the clients of the team (ordinal, case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>The team the client acts in.</summary>
    public required string TeamId { get; init; }

    /// <summary>The role the client holds in its team; its tokens never carry more than this role's permissions.</summary>
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
