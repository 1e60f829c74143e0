using Veza.Authentication.OAuth2.Grants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>Reads a <c>refresh_token</c> request: the <c>refresh_token</c>, required, and an optional narrower <c>scope</c>.</summary>
internal sealed class RefreshTokenRequestParser(ITokenGrantHandler<RefreshTokenRequest> grant) : TokenRequestParser<RefreshTokenRequest>(grant)
{
    protected override RefreshTokenRequest? Parse(IReadOnlyDictionary<string, string> form, out string? invalid)
    {
        if (!form.TryGetValue(OAuthConstants.Parameters.RefreshToken, out var refreshToken))
        {
            invalid = "refresh_token is required.";
            return null;
        }

        invalid = null;
        return new RefreshTokenRequest(refreshToken, form.TryGetValue(OAuthConstants.Parameters.Scope, out var scope) ? OAuthProtocol.ReadScopes(scope) : null);
    }
}
