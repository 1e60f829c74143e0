namespace Veza.Authentication.Stores;

/// <summary>
/// A filter for <see cref="IApiKeyStore.ListAsync"/>. Every property that is set must match (they combine with
/// AND); a <see langword="null"/> property does not filter.
/// </summary>
public sealed record ApiKeyQuery
{
    /// <summary>Only keys of this kind.</summary>
    public ApiKeyKind? Kind { get; init; }

    /// <summary>Only keys scoped to this team.</summary>
    public string? TeamId { get; init; }

    /// <summary>Only personal keys owned by this user.</summary>
    public string? OwnerUserId { get; init; }

    /// <summary>Only keys with this status.</summary>
    public ApiKeyStatus? Status { get; init; }

    /// <summary>Only keys with exactly this name.</summary>
    public string? Name { get; init; }

    /// <summary>Only keys whose name contains this text, ignoring case: the upper-case invariant forms
    /// (<see cref="string.ToUpperInvariant()"/>) of the name and of this text are compared ordinally, as names are folded
    /// for uniqueness. Every character is literal text (<c>%</c>, <c>_</c>, <c>\</c> and <c>[</c> are not wildcards).
    /// <see langword="null"/> or empty does not filter; it combines with the other filters and the cursor.</summary>
    public string? NameContains { get; init; }

    /// <summary>Only keys whose id sorts after this one (ordinal); the page cursor.</summary>
    public string? AfterId { get; init; }

    /// <summary>The most keys to return, 1 to 1000.</summary>
    public int PageSize { get; init; } = 100;
}

/// <summary>One page of <see cref="IApiKeyStore.ListAsync"/>, ordered by id (ordinal).</summary>
/// <param name="Items">The keys on this page.</param>
/// <param name="HasMore">Whether keys after the last one on this page match too.</param>
public sealed record ApiKeyPage(IReadOnlyList<ApiKeyRecord> Items, bool HasMore);

/// <summary>The outcome of a store write.</summary>
public enum ApiKeyStoreResult
{
    /// <summary>The write was applied.</summary>
    Success = 0,

    /// <summary>No key has that id (it never existed or was deleted).</summary>
    NotFound = 1,

    /// <summary>Another key in the same scope already has that name; nothing was written.</summary>
    DuplicateName = 2,

    /// <summary>The stored value was no longer the expected one; nothing was written.</summary>
    Conflict = 3,

    /// <summary>The key was revoked with more authority than the caller has; nothing was written.</summary>
    Outranked = 4,

    /// <summary>The scope already holds as many keys as its quota allows; nothing was written. Returned by
    /// <c>ApiKeyService</c>, which enforces the quotas; a store never returns it.</summary>
    QuotaExceeded = 5,
}
