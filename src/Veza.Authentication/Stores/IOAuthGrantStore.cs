namespace Veza.Authentication.Stores;

/// <summary>
/// Where the authorization code grant keeps its state: grants (one per authorization, the family of every token it
/// produced), authorization codes and refresh tokens. Codes and refresh tokens are kept only as hashes. Every write is
/// atomic on its own, and implementations must be safe for concurrent use: of two concurrent redemptions of one code,
/// or rotations of one refresh token, exactly one may succeed. Revoking grants appends one
/// <see cref="VezaChangeKind.Grant"/> entry per grant revoked to the change feed (<see cref="IVezaChangeFeed"/>) in
/// the same operation.
/// </summary>
public interface IOAuthGrantStore
{
    /// <summary>
    /// Stores a new authorization code. Nothing else exists for it yet: its grant is created when it is redeemed. When
    /// the code's user already holds <paramref name="maxPendingPerUserAndApp"/> unredeemed, unexpired codes of the same
    /// app, the oldest of them is removed in the same operation, so no user can make the store grow without end.
    /// Codes of that user and app that have expired may be removed too.
    /// </summary>
    /// <param name="code">The code; its hash must be new.</param>
    /// <param name="maxPendingPerUserAndApp">The most unredeemed, unexpired codes one user may hold for one app.</param>
    /// <param name="now">The current time (UTC).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, or Conflict when the hash is taken.</returns>
    ValueTask<OAuthStoreResult> AddCodeAsync(AuthorizationCodeRecord code, int maxPendingPerUserAndApp, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Finds a code that has not expired, redeemed or not. An expired code is as if it did not exist.</summary>
    /// <param name="codeHash">The code's hash.</param>
    /// <param name="now">The current time (UTC).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The code, or <see langword="null"/>.</returns>
    ValueTask<AuthorizationCodeRecord?> FindCodeAsync(string codeHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Redeems a code and starts its grant, atomically: only the first redemption of an unexpired code, by the app it
    /// was issued to, gets <see cref="CodeRedemptionStatus.Redeemed"/>, and only that one creates the grant
    /// (<see cref="AuthorizationCodeRecord.StartGrant"/> with <paramref name="now"/> and <paramref name="grantExpiresAt"/>).
    /// A code that is unknown, expired or another
    /// app's is <see cref="CodeRedemptionStatus.NotFound"/> and nothing changes.
    /// </summary>
    /// <param name="codeHash">The code's hash.</param>
    /// <param name="appId">The app redeeming it.</param>
    /// <param name="now">The time of redemption (UTC).</param>
    /// <param name="grantExpiresAt">The absolute end of the grant the code starts (UTC).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The outcome, with the code when it exists.</returns>
    ValueTask<CodeRedemption> RedeemCodeAsync(string codeHash, string appId, DateTimeOffset now, DateTimeOffset grantExpiresAt, CancellationToken cancellationToken);

    /// <summary>Finds a grant.</summary>
    /// <param name="grantId">The grant id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The grant, or <see langword="null"/>.</returns>
    ValueTask<OAuthGrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken);

    /// <summary>Adds a refresh token to its grant.</summary>
    /// <param name="token">The token; its hash must be new.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound (no such grant) or Conflict.</returns>
    ValueTask<OAuthStoreResult> AddRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken);

    /// <summary>Finds a refresh token by its hash, rotated or not.</summary>
    /// <param name="tokenHash">The token's hash.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The token, or <see langword="null"/>.</returns>
    ValueTask<RefreshTokenRecord?> FindRefreshTokenAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Replaces a refresh token by its successor, atomically: succeeds only while <paramref name="currentHash"/>
    /// has not been rotated yet.</summary>
    /// <param name="currentHash">The hash of the token presented.</param>
    /// <param name="successor">The successor, in the same grant.</param>
    /// <param name="now">The time of rotation (UTC).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, NotFound, or Conflict when the token was rotated already.</returns>
    ValueTask<OAuthStoreResult> RotateRefreshTokenAsync(string currentHash, RefreshTokenRecord successor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes grants: the tokens and refresh tokens they produced stop working. With an app (and user) filter, the
    /// unredeemed codes that would start such grants are removed in the same operation, so a code issued just before a
    /// consent is withdrawn or an app is revoked can no longer start a grant.
    /// </summary>
    /// <param name="filter">Which grants.</param>
    /// <param name="now">The time of revocation (UTC).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ids of the grants revoked by this call.</returns>
    ValueTask<IReadOnlyList<string>> RevokeGrantsAsync(OAuthGrantFilter filter, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Removes what has expired: codes past their lifetime (redeemed or not), refresh tokens past theirs, and grants
    /// past their end with all their refresh tokens.
    /// </summary>
    /// <param name="now">The current time (UTC).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many grants were removed.</returns>
    ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// One authorization: a user allowed an app to act for them in one team with some scopes. Every access token and
/// refresh token of the authorization names the grant, so revoking the grant ends all of them.
/// </summary>
public sealed record OAuthGrantRecord
{
    /// <summary>The grant id (the refresh-token family id).</summary>
    public required string Id { get; init; }

    /// <summary>The app's client id.</summary>
    public required string AppId { get; init; }

    /// <summary>The user the app acts for.</summary>
    public required string UserId { get; init; }

    /// <summary>The team the app acts in.</summary>
    public required string TeamId { get; init; }

    /// <summary>The granted scopes.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>When the user allowed it (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The absolute end of the grant (UTC): no refresh token of it lives longer.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the grant was revoked (UTC), or <see langword="null"/>.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>An authorization code, bound to everything the authorization request said, and the id of the grant its
/// redemption starts.</summary>
public sealed record AuthorizationCodeRecord
{
    /// <summary>The hash of the code (the code itself is never stored).</summary>
    public required string Hash { get; init; }

    /// <summary>The id of the grant the code starts when it is redeemed.</summary>
    public required string GrantId { get; init; }

    /// <summary>The app's client id.</summary>
    public required string AppId { get; init; }

    /// <summary>The redirect URI the code was sent to; the token request must repeat it.</summary>
    public required string RedirectUri { get; init; }

    /// <summary>The PKCE <c>code_challenge</c> (S256).</summary>
    public required string CodeChallenge { get; init; }

    /// <summary>The user.</summary>
    public required string UserId { get; init; }

    /// <summary>The team.</summary>
    public required string TeamId { get; init; }

    /// <summary>The granted scopes.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>When the code stops working (UTC).</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the code was redeemed (UTC), or <see langword="null"/>.</summary>
    public DateTimeOffset? RedeemedAt { get; init; }

    /// <summary>The grant this code starts when it is redeemed at <paramref name="now"/>: what a store creates in
    /// <see cref="IOAuthGrantStore.RedeemCodeAsync"/>.</summary>
    /// <param name="now">The time of redemption (UTC).</param>
    /// <param name="expiresAt">The absolute end of the grant (UTC).</param>
    /// <returns>The grant.</returns>
    public OAuthGrantRecord StartGrant(DateTimeOffset now, DateTimeOffset expiresAt) => new()
    {
        Id = GrantId,
        AppId = AppId,
        UserId = UserId,
        TeamId = TeamId,
        Scopes = Scopes,
        CreatedAt = now,
        ExpiresAt = expiresAt,
    };
}

/// <summary>A refresh token, as a hash, in its grant.</summary>
public sealed record RefreshTokenRecord
{
    /// <summary>The hash of the token (the token itself is never stored).</summary>
    public required string Hash { get; init; }

    /// <summary>The grant (family) the token belongs to.</summary>
    public required string GrantId { get; init; }

    /// <summary>The app's client id.</summary>
    public required string AppId { get; init; }

    /// <summary>When it was issued (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it stops working unless used before (UTC): the sliding lifetime, never past the grant's end.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When it was exchanged for its successor (UTC), or <see langword="null"/> while it is the current one.</summary>
    public DateTimeOffset? RotatedAt { get; init; }
}

/// <summary>What a code redemption found.</summary>
public enum CodeRedemptionStatus
{
    /// <summary>No such code, or it has expired, or it was issued to another app: nothing changed.</summary>
    NotFound = 0,

    /// <summary>This call redeemed it and created its grant.</summary>
    Redeemed = 1,

    /// <summary>It had been redeemed before: a replay.</summary>
    AlreadyRedeemed = 2,
}

/// <summary>The outcome of <see cref="IOAuthGrantStore.RedeemCodeAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Code">The code as stored, unless not found.</param>
public readonly record struct CodeRedemption(CodeRedemptionStatus Status, AuthorizationCodeRecord? Code);

/// <summary>Which grants to revoke: one grant, or an app's grants, optionally only for one user.</summary>
public sealed record OAuthGrantFilter
{
    /// <summary>One grant by id.</summary>
    public string? GrantId { get; init; }

    /// <summary>Every grant of this app.</summary>
    public string? AppId { get; init; }

    /// <summary>With <see cref="AppId"/>: only this user's grants.</summary>
    public string? UserId { get; init; }
}

/// <summary>
/// The consents users gave apps, remembered per user, app, team and scopes so they are not asked again. Implementations
/// must be safe for concurrent use.
/// </summary>
public interface IOAuthConsentStore
{
    /// <summary>The consents of a user, for one app or for every app.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="appId">The app, or <see langword="null"/> for every app.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The consents, ordered by app id and team id.</returns>
    ValueTask<IReadOnlyList<OAuthConsentRecord>> ListAsync(string userId, string? appId, CancellationToken cancellationToken);

    /// <summary>Records a consent, replacing the one for the same user, app and team.</summary>
    /// <param name="consent">The consent.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    ValueTask SaveAsync(OAuthConsentRecord consent, CancellationToken cancellationToken);

    /// <summary>Removes consents: a user's for one app, or (with <paramref name="userId"/> null) everyone's for the app.</summary>
    /// <param name="userId">The user, or <see langword="null"/> for every user.</param>
    /// <param name="appId">The app.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many consents were removed.</returns>
    ValueTask<int> RemoveAsync(string? userId, string appId, CancellationToken cancellationToken);
}

/// <summary>A user's consent: the app may act for them in the team with these scopes.</summary>
/// <param name="UserId">The user.</param>
/// <param name="AppId">The app's client id.</param>
/// <param name="TeamId">The team.</param>
/// <param name="Scopes">The scopes consented to.</param>
/// <param name="GrantedAt">When (UTC).</param>
public sealed record OAuthConsentRecord(string UserId, string AppId, string TeamId, IReadOnlyList<string> Scopes, DateTimeOffset GrantedAt);
