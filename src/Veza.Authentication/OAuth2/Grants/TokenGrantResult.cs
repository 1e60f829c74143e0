using Veza.Authentication.OAuth2.Tokens;

namespace Veza.Authentication.OAuth2.Grants;

/// <summary>Tokens a grant issued: the access token and what it says, a refresh token when offline access was granted, and the scopes granted.</summary>
internal sealed record IssuedTokens(string AccessToken, AccessTokenClaims Claims, string? RefreshToken, IReadOnlyList<string> Scopes);

/// <summary>
/// Why a grant refused: an RFC 6749 §5.2 <see cref="Error"/> (one of <see cref="OAuthConstants.Errors"/>) with the
/// description the client reads, and, when it says more than the grant type, the short <see cref="Reason"/> that is
/// logged and audited.
/// </summary>
internal sealed record GrantRefusal(string Error, string Description, string? Reason = null)
{
    /// <summary>Whether the grant could not be decided now; the client may try again later.</summary>
    public bool IsUnavailable => Error == OAuthConstants.Errors.TemporarilyUnavailable;

    public static GrantRefusal InvalidGrant(string description) => new(OAuthConstants.Errors.InvalidGrant, description);

    public static GrantRefusal InvalidScope(string description, string? reason = null) => new(OAuthConstants.Errors.InvalidScope, description, reason);

    public static GrantRefusal Unavailable(string? reason = null) => new(OAuthConstants.Errors.TemporarilyUnavailable, "Tokens cannot be issued right now.", reason);
}

/// <summary>What a grant answers: <see cref="Tokens"/>, or the <see cref="Refusal"/>.</summary>
internal readonly record struct TokenGrantResult(IssuedTokens? Tokens, GrantRefusal? Refusal)
{
    public static implicit operator TokenGrantResult(IssuedTokens tokens) => new(tokens, null);

    public static implicit operator TokenGrantResult(GrantRefusal refusal) => new(null, refusal);
}
