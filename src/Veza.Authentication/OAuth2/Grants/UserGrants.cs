using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Grants;

/// <summary>A refresh token the refresh grant would accept now, with its grant and the scopes it would give.</summary>
internal sealed record UsableRefreshToken(RefreshTokenRecord Token, OAuthGrantRecord Grant, IReadOnlyList<string> Scopes);

/// <summary>
/// The life of a user's grant to an app, around the two grant types that use it (<see cref="AuthorizationCodeGrant"/>,
/// <see cref="RefreshTokenGrant"/>): codes issued at authorization, tokens issued under a grant with refresh tokens
/// rotated on every use, and grants revoked as a whole when a code is replayed, a rotated refresh token is used again,
/// the app revokes its refresh token, or the user withdraws consent. Codes and refresh tokens are 256-bit random
/// handles kept only as SHA-256 hashes: they are looked up by hash, and being random and high-entropy they need no
/// slow hash.
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

    /// <summary>The codes, grants and refresh tokens, for the grant types to read.</summary>
    public IOAuthGrantStore Store => _store;

    public static string Hash(string handle) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(handle)));

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

    /// <summary>
    /// Revokes the grant of a code that its own app presented again (RFC 6749 §4.1.2, RFC 9700 §4.5), with all it
    /// produced. Logged as a Warning once, when it revokes the grant; a flood of further replays changes nothing and
    /// logs at Debug.
    /// </summary>
    public async ValueTask RevokeReplayedCodeAsync(AuthorizationCodeRecord code, CancellationToken cancellationToken)
    {
        if (await RevokeAsync(new OAuthGrantFilter { GrantId = code.GrantId }, cancellationToken).ConfigureAwait(false) > 0)
        {
            Log.AuthorizationCodeReplayed(_logger, code.AppId, code.GrantId);
        }
    }

    /// <summary>Revokes the grant of a rotated refresh token used again (RFC 9700 §4.14.2), logged as <see cref="RevokeReplayedCodeAsync"/> is.</summary>
    public async ValueTask RevokeReusedRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        if (await RevokeAsync(new OAuthGrantFilter { GrantId = token.GrantId }, cancellationToken).ConfigureAwait(false) > 0)
        {
            Log.RefreshTokenReused(_logger, token.AppId, token.GrantId);
        }
    }

    /// <summary>
    /// An access token under <paramref name="grant"/>, and a refresh token when offline access was granted. With
    /// <paramref name="rotateFrom"/> (a refresh token's hash) the new refresh token replaces that one atomically.
    /// <see langword="null"/> when the store would not take the refresh token: the one to rotate was rotated meanwhile
    /// (a concurrent reuse), or the grant is gone. Scopes an administrator has since taken from the app are no longer
    /// given, even under an older grant.
    /// </summary>
    public async ValueTask<IssuedTokens?> IssueTokensAsync(ClientSnapshot app, OAuthGrantRecord grant, IReadOnlyList<string> asked, string? rotateFrom, DateTimeOffset now,
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
        return new IssuedTokens(token, claims, refresh, scopes);
    }

    /// <summary>A new code or refresh token: 256 random bits, base64url.</summary>
    public static string NewHandle() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
}
