using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;

namespace Veza.Authentication.OAuth2.Tokens;

/// <summary>
/// What a valid access token says, kept so a token is validated (signature and all) once per instance. A client's
/// token acts as the client (<see cref="UserId"/> null) and depends on the secret it was got with; an app's token acts
/// for a user and depends on the grant (the user's authorization) it came from. <see cref="Binding"/> is that secret
/// or grant id.
/// </summary>
internal sealed record AccessTokenClaims(
    string TokenId,
    string ClientId,
    string TeamId,
    string[] Scopes,
    string Binding,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string? UserId = null)
{
    public static string Subject(string clientId) => "client:" + clientId;

    /// <summary>The <c>sub</c> the token carries.</summary>
    public string TokenSubject => UserId is null ? Subject(ClientId) : VezaPrincipalResolver.UserSubject(UserId);
}

/// <summary>
/// Creates and validates RFC 9068 access tokens (<c>typ: at+jwt</c>) with Microsoft.IdentityModel's
/// <see cref="JsonWebTokenHandler"/>: no JWT or signature code of our own.
/// </summary>
internal sealed class AccessTokenCodec
{
    public const string TokenType = "at+jwt";

    // The id of the client secret the token was got with, so that removing that secret ends the token too.
    private const string SecretIdClaim = "veza_secret_id";

    // The grant an app's token came from, so that revoking the grant (replay, withdrawn consent) ends the token too.
    private const string GrantIdClaim = "veza_grant_id";
    private static readonly string[] ValidTypes = [TokenType, "application/at+jwt"];

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningKeyRing _keys;
    private readonly TimeProvider _time;
    private readonly OAuthServerOptions _options;

    public AccessTokenCodec(SigningKeyRing keys, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _keys = keys;
        _time = time;
        _options = options.Value.OAuth2;
    }

    public string Issuer => _options.Issuer ?? throw new InvalidOperationException("OAuth2.Issuer is not set.");

    public string Audience => _options.Audience ?? Issuer;

    /// <summary>Signs a token for a client acting in its team with <paramref name="role"/>, narrowed to <paramref name="scopes"/>.</summary>
    public ValueTask<(string Token, AccessTokenClaims Claims)> CreateAsync(
        string clientId, string teamId, string role, string secretId, IReadOnlyList<string> scopes, TimeSpan lifetime, CancellationToken cancellationToken)
        => CreateAsync(clientId, teamId, role, secretId, null, scopes, lifetime, cancellationToken);

    /// <summary>Signs a token for an app acting for <paramref name="userId"/> in a team, under a grant. The user's roles
    /// are not in the token: they are read at every request.</summary>
    public ValueTask<(string Token, AccessTokenClaims Claims)> CreateForUserAsync(
        string appId, string userId, string teamId, string grantId, IReadOnlyList<string> scopes, TimeSpan lifetime, CancellationToken cancellationToken)
        => CreateAsync(appId, teamId, null, grantId, userId, scopes, lifetime, cancellationToken);

    private async ValueTask<(string Token, AccessTokenClaims Claims)> CreateAsync(
        string clientId, string teamId, string? role, string binding, string? userId, IReadOnlyList<string> scopes, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        // JWT times are whole seconds; the claims kept here must say what the token says.
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var claims = new AccessTokenClaims(
            Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)), clientId, teamId, [.. scopes], binding, issuedAt, issuedAt + lifetime, userId);
        var payload = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = claims.TokenSubject,
            [JwtRegisteredClaimNames.Jti] = claims.TokenId,
            [VezaClaimTypes.ClientId] = clientId,
            [VezaClaimTypes.Scope] = string.Join(' ', scopes),
            [VezaClaimTypes.PrincipalType] = userId is null ? VezaPrincipalTypes.Client : VezaPrincipalTypes.User,
            [VezaClaimTypes.TeamId] = teamId,
        };
        if (userId is null)
        {
            payload[VezaClaimTypes.Role] = role!;
            payload[SecretIdClaim] = binding;
        }
        else
        {
            payload[GrantIdClaim] = binding;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = TokenType,
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = claims.ExpiresAt.UtcDateTime,
            SigningCredentials = keys.Signing,
            Claims = payload,
        };
        return (_handler.CreateToken(descriptor), claims);
    }

    /// <summary>
    /// Validates signature (a published key, an allowed algorithm), <c>typ</c>, issuer, audience and lifetime.
    /// Returns <see langword="null"/> for any token that fails, whatever the reason.
    /// </summary>
    public async ValueTask<AccessTokenClaims?> ValidateAsync(string token, bool validateLifetime, CancellationToken cancellationToken)
        => (await ValidateWithReasonAsync(token, validateLifetime, cancellationToken).ConfigureAwait(false)).Claims;

    /// <summary>As <see cref="ValidateAsync"/>, and whether a token that failed failed only because of its lifetime.</summary>
    public async ValueTask<(AccessTokenClaims? Claims, bool Expired)> ValidateWithReasonAsync(string token, bool validateLifetime, CancellationToken cancellationToken)
    {
        var (claims, unknownKey, expired) = await ValidateOnceAsync(token, validateLifetime, cancellationToken).ConfigureAwait(false);
        if (claims is null && unknownKey && _keys.ExpireForUnknownKey())
        {
            // A key another instance has just added: read the keys again and try once more.
            (claims, _, expired) = await ValidateOnceAsync(token, validateLifetime, cancellationToken).ConfigureAwait(false);
        }

        return (claims, expired);
    }

    private async ValueTask<(AccessTokenClaims? Claims, bool UnknownKey, bool Expired)> ValidateOnceAsync(string token, bool validateLifetime,
        CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKeys = keys.Validation,
            ValidAlgorithms = SigningKeyRing.AllowedAlgorithms,
            ValidTypes = ValidTypes,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = validateLifetime,
            ClockSkew = _options.ClockSkew,
            TryAllIssuerSigningKeys = false,
            LifetimeValidator = validateLifetime ? ValidateLifetime : null,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, result.Exception is SecurityTokenSignatureKeyNotFoundException,
                result.Exception is SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException);
        }

        if (!jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var jti) || string.IsNullOrEmpty(jti)
            || !jwt.TryGetPayloadValue<string>(VezaClaimTypes.ClientId, out var clientId) || string.IsNullOrEmpty(clientId)
            || !jwt.TryGetPayloadValue<string>(VezaClaimTypes.TeamId, out var teamId) || string.IsNullOrEmpty(teamId)
            || !TryReadBinding(jwt, clientId, out var binding, out var userId))
        {
            return (null, false, false);
        }

        jwt.TryGetPayloadValue<string>(VezaClaimTypes.Scope, out var scope);
        return (new AccessTokenClaims(jti, clientId, teamId,
            (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries), binding,
            new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), userId), false, false);
    }

    // A client's token names the client as its subject and its secret; an app's names a user and the grant.
    private static bool TryReadBinding(JsonWebToken jwt, string clientId, out string binding, out string? userId)
    {
        var subject = jwt.Subject;
        userId = null;
        if (subject == AccessTokenClaims.Subject(clientId))
        {
            return jwt.TryGetPayloadValue(SecretIdClaim, out binding) && !string.IsNullOrEmpty(binding);
        }

        if (subject is { Length: > 5 } && subject.StartsWith("user:", StringComparison.Ordinal)
            && jwt.TryGetPayloadValue(GrantIdClaim, out binding) && !string.IsNullOrEmpty(binding))
        {
            userId = subject[5..];
            return true;
        }

        binding = string.Empty;
        return false;
    }

    // The framework's lifetime check reads the system clock; this one reads TimeProvider, so tests can move time.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp + parameters.ClockSkew && (notBefore is not { } nbf || nbf - parameters.ClockSkew <= now);
    }
}
