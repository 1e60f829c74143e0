namespace Veza.Authentication.Stores;

/// <summary>Which kind of caller an API key authenticates.</summary>
public enum ApiKeyKind
{
    /// <summary>A personal key: acts as its owner, with the owner's roles in the key's team at request time.</summary>
    Personal = 0,

    /// <summary>A team key: acts as the team's service account, with the team-key role only.</summary>
    Team = 1,
}

/// <summary>Whether a key may be used.</summary>
public enum ApiKeyStatus
{
    /// <summary>The key authenticates.</summary>
    Active = 0,

    /// <summary>The key has been revoked; it can be reinstated.</summary>
    Inactive = 1,
}

/// <summary>
/// How much authority someone has over a key, from least to most. A revoked key remembers the authority that revoked
/// it, and only someone with at least that much may reinstate it: an owner cannot undo an administrator's revoke.
/// </summary>
public enum ApiKeyAuthority
{
    /// <summary>No authority (a key that is not revoked).</summary>
    None = 0,

    /// <summary>The owner of a personal key, with a credential of the key's team.</summary>
    Owner = 1,

    /// <summary>An administrator of the key's team.</summary>
    TeamAdmin = 2,

    /// <summary>An administrator of the root team.</summary>
    RootAdmin = 3,

    /// <summary>The host itself, calling <c>ApiKeyService</c> directly.</summary>
    Host = 4,
}

/// <summary>A stored API key. It never holds the secret, only its hash.</summary>
public sealed record ApiKeyRecord
{
    /// <summary>The public key id (also part of the key string).</summary>
    public required string Id { get; init; }

    /// <summary>Personal or team key.</summary>
    public required ApiKeyKind Kind { get; init; }

    /// <summary>The display name; unique per owner and team for personal keys, per team for team keys.</summary>
    public required string Name { get; init; }

    /// <summary>The team the key is scoped to.</summary>
    public required string TeamId { get; init; }

    /// <summary>For a personal key, the user it acts as; <see langword="null"/> for a team key.</summary>
    public string? OwnerUserId { get; init; }

    /// <summary>The user who created the key (for team keys, only a record: the key does not act as them).</summary>
    public string? CreatedByUserId { get; init; }

    /// <summary>The hash of the secret, as produced by the secret hasher (an Argon2id PHC string by default).</summary>
    public required string SecretHash { get; init; }

    /// <summary>Active or inactive.</summary>
    public ApiKeyStatus Status { get; init; }

    /// <summary>Who revoked the key (a subject such as <c>user:42</c>, or <c>system</c>); <see langword="null"/> while active.</summary>
    public string? RevokedBy { get; init; }

    /// <summary>The authority that revoked the key; <see cref="ApiKeyAuthority.None"/> while active.</summary>
    public ApiKeyAuthority RevokedAuthority { get; init; }

    /// <summary>When the key was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the key was last used successfully (UTC); equal to <see cref="CreatedAt"/> until then.</summary>
    public DateTimeOffset LastAccessAt { get; init; }
}
