namespace Veza.Authentication.Stores;

/// <summary>
/// A key that signs access tokens. The private part is kept only as protected by ASP.NET Core Data Protection;
/// the public part is published in JWKS from <see cref="PublishedAt"/> until <see cref="UnpublishAt"/>, and the key
/// signs from <see cref="SignsFrom"/> until <see cref="SignsUntil"/>.
/// </summary>
public sealed record SigningKeyRecord
{
    /// <summary>The <c>kid</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The JWS algorithm (<c>RS256</c> or <c>ES256</c>).</summary>
    public required string Algorithm { get; init; }

    /// <summary>The private key (PKCS#8), protected by Data Protection.</summary>
    public required byte[] ProtectedPrivateKey { get; init; }

    /// <summary>When the key was created and published (UTC).</summary>
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>When it starts signing (UTC): after it has been published long enough for resources to fetch it.</summary>
    public required DateTimeOffset SignsFrom { get; init; }

    /// <summary>When it stops signing (UTC).</summary>
    public required DateTimeOffset SignsUntil { get; init; }

    /// <summary>When it leaves JWKS (UTC): after the last token it signed has expired.</summary>
    public required DateTimeOffset UnpublishAt { get; init; }
}

/// <summary>
/// Where signing keys are kept, shared by every instance so that they all publish and accept the same keys. Adding a
/// key, and pruning one, append a <see cref="VezaChangeKind.SigningKeys"/> entry to the change feed
/// (<see cref="IVezaChangeFeed"/>) in the same operation. Implementations must be safe for concurrent use.
/// </summary>
public interface ISigningKeyStore
{
    /// <summary>Every stored key.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The keys, in any order.</returns>
    ValueTask<IReadOnlyList<SigningKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds a key.</summary>
    /// <param name="key">The key; its id must be new.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, or Conflict when the id is taken.</returns>
    ValueTask<OAuthStoreResult> AddAsync(SigningKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Deletes the keys whose <see cref="SigningKeyRecord.UnpublishAt"/> is at or before <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many keys were deleted.</returns>
    ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A revoked access token, remembered until it would have expired anyway.</summary>
/// <param name="TokenId">The token's <c>jti</c>.</param>
/// <param name="ClientId">The client it was issued to.</param>
/// <param name="ExpiresAt">The token's own expiry (UTC): after it, the revocation can be forgotten.</param>
/// <param name="RevokedAt">When it was revoked (UTC).</param>
public sealed record RevokedTokenRecord(string TokenId, string ClientId, DateTimeOffset ExpiresAt, DateTimeOffset RevokedAt);

/// <summary>
/// Where revoked access tokens are kept, shared by every instance. Implementations must be safe for concurrent use.
/// </summary>
public interface ITokenRevocationStore
{
    /// <summary>Records a revocation and appends a <see cref="VezaChangeKind.RevokedToken"/> entry to the change feed
    /// in the same operation; recording the same token twice is not an error (and appends nothing).</summary>
    /// <param name="token">The revoked token.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    ValueTask AddAsync(RevokedTokenRecord token, CancellationToken cancellationToken);

    /// <summary>Every unexpired revocation, read whole when an instance starts (and after it had to forget
    /// everything); later revocations reach it through the change feed.</summary>
    /// <param name="now">The current time: expired revocations are left out.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The revocations.</returns>
    ValueTask<IReadOnlyList<RevokedTokenRecord>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Forgets revocations of tokens that have expired.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>How many were removed.</returns>
    ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The sign-in settings an administrator of the root team changes at run time.</summary>
public sealed record VezaSignInSettings
{
    /// <summary>Whether the OAuth2 authorization server is on ("OAuth2 Authorization Server" in Sign-in Settings).
    /// Off by default.</summary>
    public bool OAuth2Enabled { get; init; }

    /// <summary>Incremented on every change; lets a writer detect a concurrent change.</summary>
    public long Version { get; init; }

    /// <summary>When the settings last changed (UTC).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Who changed them last.</summary>
    public string? UpdatedBy { get; init; }
}

/// <summary>Where the sign-in settings live, shared by every instance. A successful update appends a
/// <see cref="VezaChangeKind.Settings"/> entry to the change feed (<see cref="IVezaChangeFeed"/>) in the same
/// operation.</summary>
public interface IVezaSettingsStore
{
    /// <summary>The current settings (the defaults when nothing was ever written).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The settings.</returns>
    ValueTask<VezaSignInSettings> GetAsync(CancellationToken cancellationToken);

    /// <summary>Writes the settings if the stored version is still <paramref name="expectedVersion"/>; the stored
    /// version becomes <paramref name="expectedVersion"/> + 1.</summary>
    /// <param name="settings">The new settings.</param>
    /// <param name="expectedVersion">The version the change was based on.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success, or Conflict when another change came first.</returns>
    ValueTask<OAuthStoreResult> UpdateAsync(VezaSignInSettings settings, long expectedVersion, CancellationToken cancellationToken);
}
