namespace Veza.Authentication.Hosting;

/// <summary>
/// Why a presented credential could not be used, for a host's events (<see cref="VezaAuthenticationFailedContext"/>,
/// <see cref="VezaBearerChallengeContext"/>): a revoked key and a store outage are told apart without reading text.
/// The caller never sees it: every rejected credential gets the same <c>401 invalid_token</c>.
/// </summary>
public enum VezaAuthenticationFailureKind
{
    /// <summary>The token has the shape of one of ours but is malformed (a bad checksum, an unusable JWT).</summary>
    Malformed = 0,

    /// <summary>No such key or client (never created, or deleted).</summary>
    Unknown = 1,

    /// <summary>The key or client exists and the secret is wrong.</summary>
    WrongSecret = 2,

    /// <summary>The credential was revoked: the key, the client or app, the user's grant, the access token itself, or
    /// the secret a token was got with; or the authorization server is switched off.</summary>
    Revoked = 3,

    /// <summary>The token, or the client secret, has expired.</summary>
    Expired = 4,

    /// <summary>The credential is sound but whom it acts for is not: the user is inactive, removed or no longer in the
    /// team, or the team no longer exists.</summary>
    CallerGone = 5,

    /// <summary>The client address failed too often: refused before any check (429).</summary>
    Throttled = 6,

    /// <summary>Every secret-check slot stayed taken (503).</summary>
    Busy = 7,

    /// <summary>A store or the user directory failed or timed out: the request fails closed (503).</summary>
    StoreUnavailable = 8,

    /// <summary>The request itself is unusable (more than one Authorization header).</summary>
    InvalidRequest = 9,

    /// <summary>A host's own event refused it (<c>Fail(...)</c> in <see cref="VezaBearerEvents.OnMessageReceived"/> or
    /// <see cref="VezaBearerEvents.OnTokenValidated"/>).</summary>
    RefusedByHost = 10,
}
