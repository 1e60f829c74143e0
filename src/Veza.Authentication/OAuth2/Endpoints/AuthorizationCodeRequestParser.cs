using Veza.Authentication.OAuth2.Grants;
using static Veza.Authentication.OAuth2.OAuthConstants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>Reads an <c>authorization_code</c> request: <c>code</c>, <c>redirect_uri</c> and a well-formed <c>code_verifier</c>, all required.</summary>
internal sealed class AuthorizationCodeRequestParser(ITokenGrantHandler<AuthorizationCodeRequest> grant) : TokenRequestParser<AuthorizationCodeRequest>(grant)
{
    protected override AuthorizationCodeRequest? Parse(IReadOnlyDictionary<string, string> form, out string? invalid)
    {
        if (!form.TryGetValue(Parameters.Code, out var code) || !form.TryGetValue(Parameters.RedirectUri, out var redirectUri))
        {
            invalid = "code and redirect_uri are required.";
            return null;
        }

        if (!form.TryGetValue(Parameters.CodeVerifier, out var verifier) || !Pkce.IsValue(verifier))
        {
            invalid = "code_verifier is required: 43 to 128 unreserved characters (RFC 7636).";
            return null;
        }

        invalid = null;
        return new AuthorizationCodeRequest(code, redirectUri, verifier);
    }
}
