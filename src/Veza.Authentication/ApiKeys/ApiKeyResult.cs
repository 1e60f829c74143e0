namespace Veza.Authentication.ApiKeys;

/// <summary>The outcome of an <see cref="ApiKeyService"/> operation.</summary>
public enum ApiKeyResult
{
    /// <summary>Done.</summary>
    Success = 0,

    /// <summary>No such key, or one the caller may not see (the two are not told apart, so ids cannot be probed).</summary>
    NotFound = 1,

    /// <summary>Another key in the same scope already has that name; nothing was written.</summary>
    DuplicateName = 2,

    /// <summary>The key id is taken; nothing was written.</summary>
    Conflict = 3,

    /// <summary>The key was revoked with more authority than the caller has, so the caller may not reinstate it.</summary>
    Outranked = 4,

    /// <summary>The owner (personal keys) or the team (team keys) already holds as many keys as allowed.</summary>
    QuotaExceeded = 5,

    /// <summary>The caller may not do this; <see cref="ApiKeyChange.Error"/> says why.</summary>
    Forbidden = 6,

    /// <summary>The name is not acceptable (see <see cref="ApiKeyService.IsValidName"/>).</summary>
    InvalidName = 7,

    /// <summary>Another value is not acceptable; <see cref="ApiKeyChange.Error"/> says which.</summary>
    Invalid = 8,

    /// <summary>The team does not exist in the host's directory.</summary>
    UnknownTeam = 9,
}
