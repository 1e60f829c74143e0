using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2.Endpoints;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>A refresh token the refresh grant would accept now, with its grant and the scopes it would give.</summary>
internal sealed record UsableRefreshToken(RefreshTokenRecord Token, OAuthGrantRecord Grant, IReadOnlyList<string> Scopes);

/// <summary>What the token endpoint answers for a user's grant.</summary>
internal sealed record UserTokens(string AccessToken, AccessTokenClaims Claims, string? RefreshToken, IReadOnlyList<string> Scopes);

/// <summary>
/// The authorization code grant's life: codes issued at authorization, redeemed once at the token endpoint with PKCE,
/// refresh tokens rotated on every use, and grants revoked as a whole when a code is replayed, a rotated refresh token
/// is used again, or the user withdraws consent. Codes and refresh tokens are 256-bit random handles kept only as
/// SHA-256 hashes: they are looked up by hash, and being random and high-entropy they need no slow hash.
/// </summary>
internal sealed class UserGrants
{
    private readonly IOAuthGrantStore _store;
    private readonly IOAuthConsentStore _consents;
    private readonly AccessTokenCodec _codec;
    private readonly GrantStates _states;
    private readonly VezaPrincipalResolver _principals;
    private readonly OAuthServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public UserGrants(IOAuthGrantStore store, IOAuthConsentStore consents, AccessTokenCodec codec, GrantStates states, VezaPrincipalResolver principals,
        IOptions<VezaAuthenticationOptions> options, TimeProvider time, ILogger<UserGrants> logger)
    {
        _store = store;
        _consents = consents;
        _codec = codec;
        _states = states;
        _principals = principals;
        _options = options.Value.OAuth2;
        _time = time;
        _logger = logger;
    }

    public IOAuthConsentStore Consents => _consents;

    public static string Hash(string handle) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(handle)));

    /// <summary>Whether a PKCE code verifier or challenge has RFC 7636's form: 43 to 128 unreserved characters.</summary>
    public static bool IsPkceValue(string? value)
    {
        if (value is null || value.Length is < 43 or > 128)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A new code for the user's authorization: the grant it starts exists only once the code is redeemed, and the user
    /// holds at most <see cref="OAuthServerOptions.MaxPendingCodesPerUserAndApp"/> unredeemed codes for the app (a newer
    /// one replaces the oldest). <paramref name="code"/> comes from <see cref="NewHandle"/>.
    /// </summary>
    public async ValueTask IssueCodeAsync(string code, string appId, string userId, string teamId, IReadOnlyList<string> scopes, string redirectUri, string challenge,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var record = new AuthorizationCodeRecord
        {
            Hash = Hash(code),
            GrantId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            AppId = appId,
            RedirectUri = redirectUri,
            CodeChallenge = challenge,
            UserId = userId,
            TeamId = teamId,
            Scopes = scopes,
            ExpiresAt = now + _options.AuthorizationCodeLifetime,
        };
        if (await _store.AddCodeAsync(record, _options.MaxPendingCodesPerUserAndApp, now, cancellationToken).ConfigureAwait(false) != OAuthStoreResult.Success)
        {
            throw new InvalidOperationException("The grant store refused a new authorization code.");
        }
    }

    /// <summary>
    /// The <c>authorization_code</c> grant (RFC 6749 §4.1.3, RFC 7636 §4.6). Everything the code is bound to is checked
    /// before it is spent: a code presented by another app, with another redirect URI or a wrong verifier changes
    /// nothing. Only its own app's second redemption is a replay, which revokes the grant with all it produced.
    /// </summary>
    public async ValueTask<(UserTokens? Tokens, OAuthError? Error)> RedeemAsync(ClientSnapshot app, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        if (!form.TryGetValue("code", out var code) || !form.TryGetValue("redirect_uri", out var redirectUri))
        {
            return (null, OAuthError.InvalidRequest("code and redirect_uri are required."));
        }

        if (!form.TryGetValue("code_verifier", out var verifier) || !IsPkceValue(verifier))
        {
            return (null, OAuthError.InvalidRequest("code_verifier is required: 43 to 128 unreserved characters (RFC 7636)."));
        }

        var now = _time.GetUtcNow();
        var hash = Hash(code);
        var stored = code.Length > 256 ? null : await _store.FindCodeAsync(hash, now, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.AppId != app.Id)
        {
            return (null, InvalidGrant("The authorization code is invalid or has expired."));
        }

        if (stored.RedeemedAt is not null)
        {
            return (null, await ReplayedAsync(stored, cancellationToken).ConfigureAwait(false));
        }

        if (!string.Equals(stored.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return (null, InvalidGrant("redirect_uri does not match the authorization request."));
        }

        var computed = Encoding.ASCII.GetBytes(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        if (!CryptographicOperations.FixedTimeEquals(computed, Encoding.ASCII.GetBytes(stored.CodeChallenge)))
        {
            return (null, InvalidGrant("code_verifier does not match the code_challenge."));
        }

        if (!await _principals.IsMemberAsync(stored.UserId, stored.TeamId, cancellationToken).ConfigureAwait(false))
        {
            return (null, InvalidGrant("The authorization is no longer valid."));
        }

        var grantEnds = now + _options.RefreshTokenAbsoluteLifetime;
        var redemption = await _store.RedeemCodeAsync(hash, app.Id, now, grantEnds, cancellationToken).ConfigureAwait(false);
        switch (redemption.Status)
        {
            case CodeRedemptionStatus.AlreadyRedeemed:
                // Redeemed concurrently: a replay as well.
                return (null, await ReplayedAsync(redemption.Code!, cancellationToken).ConfigureAwait(false));
            case CodeRedemptionStatus.NotFound:
                return (null, InvalidGrant("The authorization code is invalid or has expired."));
        }

        var grant = stored.StartGrant(now, grantEnds);
        return (await IssueAsync(app, grant, grant.Scopes, null, now, cancellationToken).ConfigureAwait(false), null);
    }

    // RFC 6749 §4.1.2 and RFC 9700 §4.5: a code its own app presents again revokes what it produced.
    // Logged as a Warning once, when it revokes the grant; a flood of further replays changes nothing and logs at Debug.
    private async ValueTask<OAuthError> ReplayedAsync(AuthorizationCodeRecord code, CancellationToken cancellationToken)
    {
        if (await RevokeAsync(new OAuthGrantFilter { GrantId = code.GrantId }, cancellationToken).ConfigureAwait(false) > 0)
        {
            Log.AuthorizationCodeReplayed(_logger, code.AppId, code.GrantId);
        }

        return InvalidGrant("The authorization code was used before.");
    }

    /// <summary>The <c>refresh_token</c> grant (RFC 6749 §6), with rotation and reuse detection (RFC 9700 §4.14.2).</summary>
    public async ValueTask<(UserTokens? Tokens, OAuthError? Error)> RefreshAsync(ClientSnapshot app, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        if (!form.TryGetValue("refresh_token", out var presented))
        {
            return (null, OAuthError.InvalidRequest("refresh_token is required."));
        }

        var now = _time.GetUtcNow();
        var hash = Hash(presented);
        var current = presented.Length > 256 ? null : await _store.FindRefreshTokenAsync(hash, cancellationToken).ConfigureAwait(false);
        if (current is null || current.AppId != app.Id)
        {
            return (null, InvalidGrant("The refresh token is invalid."));
        }

        if (current.RotatedAt is not null)
        {
            return (null, await ReusedAsync(current, cancellationToken).ConfigureAwait(false));
        }

        var grant = await _store.FindGrantAsync(current.GrantId, cancellationToken).ConfigureAwait(false);
        if (!app.AllowedScopes.Contains(OAuthServerOptions.OfflineAccessScope, StringComparer.Ordinal))
        {
            return (null, InvalidGrant("The app may no longer use refresh tokens."));
        }

        if (current.ExpiresAt <= now || grant is not { RevokedAt: null } || grant.ExpiresAt <= now
            || !await _principals.IsMemberAsync(grant.UserId, grant.TeamId, cancellationToken).ConfigureAwait(false))
        {
            return (null, InvalidGrant("The refresh token has expired or its authorization is no longer valid."));
        }

        IReadOnlyList<string> scopes = grant.Scopes;
        if (form.TryGetValue("scope", out var scope))
        {
            // RFC 6749 §6: a refresh may narrow the scope, never widen it.
            var asked = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
            if (asked.Length == 0 || asked.Any(s => !grant.Scopes.Contains(s, StringComparer.Ordinal)))
            {
                return (null, new OAuthError(400, "invalid_scope", "A refresh can only narrow the granted scope."));
            }

            scopes = asked;
        }

        var tokens = await IssueAsync(app, grant, scopes, hash, now, cancellationToken).ConfigureAwait(false);
        return tokens is null ? (null, await ReusedAsync(current, cancellationToken).ConfigureAwait(false)) : (tokens, null);
    }

    /// <summary>
    /// The app's refresh token with its grant and the scopes a refresh would give, when the refresh grant would accept it
    /// now (for introspection, RFC 7662): current (not rotated), unexpired, in a grant that stands, for a user who is
    /// active and still holds a role in the team, and the app still allowed offline access. Anything else, and any token
    /// of another app, is <see langword="null"/>.
    /// </summary>
    public async ValueTask<UsableRefreshToken?> FindUsableRefreshTokenAsync(ClientSnapshot app, string presented, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (presented.Length > 256 || await _store.FindRefreshTokenAsync(Hash(presented), cancellationToken).ConfigureAwait(false) is not { } token
            || token.AppId != app.Id || token.RotatedAt is not null || token.ExpiresAt <= now
            || !app.AllowedScopes.Contains(OAuthServerOptions.OfflineAccessScope, StringComparer.Ordinal))
        {
            return null;
        }

        var grant = await _store.FindGrantAsync(token.GrantId, cancellationToken).ConfigureAwait(false);
        if (grant is not { RevokedAt: null } || grant.ExpiresAt <= now || grant.AppId != app.Id
            || !await _principals.IsMemberAsync(grant.UserId, grant.TeamId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new UsableRefreshToken(token, grant, [.. grant.Scopes.Where(s => app.AllowedScopes.Contains(s, StringComparer.Ordinal))]);
    }

    /// <summary>RFC 7009 for a refresh token: the app's own token revokes its whole grant; anything else is ignored.</summary>
    public async ValueTask<bool> RevokeRefreshTokenAsync(string appId, string presented, CancellationToken cancellationToken)
    {
        if (presented.Length > 256 || await _store.FindRefreshTokenAsync(Hash(presented), cancellationToken).ConfigureAwait(false) is not { } token || token.AppId != appId)
        {
            return false;
        }

        await RevokeAsync(new OAuthGrantFilter { GrantId = token.GrantId }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Revokes grants and forgets their state on this instance at once; returns how many this call revoked.</summary>
    public async ValueTask<int> RevokeAsync(OAuthGrantFilter filter, CancellationToken cancellationToken)
    {
        var revoked = await _store.RevokeGrantsAsync(filter, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var grantId in revoked)
        {
            _states.Evict(grantId);
        }

        if (filter.GrantId is { } id)
        {
            _states.Evict(id);
        }

        return revoked.Count;
    }

    private async ValueTask<OAuthError> ReusedAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        if (await RevokeAsync(new OAuthGrantFilter { GrantId = token.GrantId }, cancellationToken).ConfigureAwait(false) > 0)
        {
            Log.RefreshTokenReused(_logger, token.AppId, token.GrantId);
        }

        return InvalidGrant("The refresh token was used before; the authorization is revoked.");
    }

    // An access token, and a refresh token when offline access was granted. With rotateFrom, the refresh token replaces
    // that one atomically; null when it was rotated meanwhile (a concurrent reuse).
    // Scopes an administrator has since taken from the app are no longer given, even under an older grant.
    private async ValueTask<UserTokens?> IssueAsync(ClientSnapshot app, OAuthGrantRecord grant, IReadOnlyList<string> asked, string? rotateFrom, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        string[] scopes = [.. asked.Where(s => app.AllowedScopes.Contains(s, StringComparer.Ordinal))];
        string? refresh = null;
        // Every use of a refresh token rotates it, a narrowed refresh too: the family always has one current token.
        if (grant.Scopes.Contains(OAuthServerOptions.OfflineAccessScope, StringComparer.Ordinal)
            && app.AllowedScopes.Contains(OAuthServerOptions.OfflineAccessScope, StringComparer.Ordinal))
        {
            refresh = NewHandle();
            var slidingEnd = now + _options.RefreshTokenSlidingLifetime;
            var record = new RefreshTokenRecord
            {
                Hash = Hash(refresh),
                GrantId = grant.Id,
                AppId = app.Id,
                CreatedAt = now,
                ExpiresAt = slidingEnd < grant.ExpiresAt ? slidingEnd : grant.ExpiresAt,
            };
            var stored = rotateFrom is null
                ? await _store.AddRefreshTokenAsync(record, cancellationToken).ConfigureAwait(false)
                : await _store.RotateRefreshTokenAsync(rotateFrom, record, now, cancellationToken).ConfigureAwait(false);
            if (stored != OAuthStoreResult.Success)
            {
                return null;
            }
        }

        string[] tokenScopes = [.. scopes.Where(s => s != OAuthServerOptions.OfflineAccessScope)];
        var (token, claims) = await _codec.CreateForUserAsync(app.Id, grant.UserId, grant.TeamId, grant.Id, tokenScopes, app.AccessTokenLifetime, cancellationToken)
            .ConfigureAwait(false);
        return new UserTokens(token, claims, refresh, scopes);
    }

    /// <summary>A new code or refresh token: 256 random bits, base64url.</summary>
    public static string NewHandle() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static OAuthError InvalidGrant(string description) => new(400, "invalid_grant", description);
}
