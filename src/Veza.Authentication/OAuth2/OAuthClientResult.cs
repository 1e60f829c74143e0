namespace Veza.Authentication.OAuth2;

/// <summary>The outcome of an operation on an OAuth2 client, an OAuth2 app or a consent.</summary>
public enum OAuthClientResult
{
    /// <summary>Done.</summary>
    Success = 0,

    /// <summary>No such client, app, secret or consent, or one the caller may not see (the two are not told apart, so
    /// ids cannot be probed).</summary>
    NotFound = 1,

    /// <summary>Another client of the team has that name.</summary>
    DuplicateName = 2,

    /// <summary>The client id is taken.</summary>
    Conflict = 3,

    /// <summary>The team holds as many clients as allowed, or the client as many secrets.</summary>
    QuotaExceeded = 4,

    /// <summary>A value is not acceptable; see the error text.</summary>
    Invalid = 5,

    /// <summary>The OAuth2 authorization server is off: clients cannot be created or changed.</summary>
    ServerOff = 6,

    /// <summary>The team does not exist in the host's directory.</summary>
    UnknownTeam = 7,

    /// <summary>The caller may not do this; <see cref="OAuthClientChange.Error"/> says why.</summary>
    Forbidden = 8,
}
