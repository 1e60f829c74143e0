namespace Veza.Authentication.OAuth2;

/// <summary>
/// The words of the OAuth 2.0 protocol as they appear on the wire: error codes, grant types, parameter and field names,
/// and the values the server offers. Spelled once here so that a typo is a compile error, not a silent mismatch.
/// </summary>
internal static class OAuthConstants
{
    /// <summary>Error codes: RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, OpenID Connect Core §3.1.2.6 (<c>prompt=none</c>).</summary>
    public static class Errors
    {
        public const string AccessDenied = "access_denied";
        public const string ConsentRequired = "consent_required";
        public const string InvalidClient = "invalid_client";
        public const string InvalidGrant = "invalid_grant";
        public const string InvalidRequest = "invalid_request";
        public const string InvalidScope = "invalid_scope";
        public const string InvalidToken = "invalid_token";
        public const string LoginRequired = "login_required";
        public const string TemporarilyUnavailable = "temporarily_unavailable";
        public const string UnauthorizedClient = "unauthorized_client";
        public const string UnsupportedGrantType = "unsupported_grant_type";
        public const string UnsupportedResponseType = "unsupported_response_type";
    }

    /// <summary>Values of <c>grant_type</c> (RFC 6749 §4).</summary>
    public static class GrantTypes
    {
        public const string AuthorizationCode = "authorization_code";
        public const string ClientCredentials = "client_credentials";
        public const string RefreshToken = "refresh_token";
    }

    /// <summary>Request and response parameters (RFC 6749, RFC 7636, RFC 7009, RFC 7662, RFC 9207).</summary>
    public static class Parameters
    {
        public const string AccessToken = "access_token";
        public const string Active = "active";
        public const string ClientId = "client_id";
        public const string ClientSecret = "client_secret";
        public const string Code = "code";
        public const string CodeChallenge = "code_challenge";
        public const string CodeChallengeMethod = "code_challenge_method";
        public const string CodeVerifier = "code_verifier";
        public const string Error = "error";
        public const string ErrorDescription = "error_description";
        public const string ExpiresIn = "expires_in";
        public const string GrantType = "grant_type";
        public const string Iss = "iss";
        public const string Prompt = "prompt";
        public const string RedirectUri = "redirect_uri";
        public const string RefreshToken = "refresh_token";
        public const string ResponseMode = "response_mode";
        public const string ResponseType = "response_type";
        public const string Scope = "scope";
        public const string State = "state";
        public const string Token = "token";
        public const string TokenType = "token_type";
    }

    /// <summary>Authorization server metadata fields (RFC 8414 §2, RFC 9207 §3).</summary>
    public static class Metadata
    {
        public const string AuthorizationEndpoint = "authorization_endpoint";
        public const string AuthorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported";
        public const string CodeChallengeMethodsSupported = "code_challenge_methods_supported";
        public const string GrantTypesSupported = "grant_types_supported";
        public const string IntrospectionEndpoint = "introspection_endpoint";
        public const string IntrospectionEndpointAuthMethodsSupported = "introspection_endpoint_auth_methods_supported";
        public const string Issuer = "issuer";
        public const string JwksUri = "jwks_uri";
        public const string ResponseModesSupported = "response_modes_supported";
        public const string ResponseTypesSupported = "response_types_supported";
        public const string RevocationEndpoint = "revocation_endpoint";
        public const string RevocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported";
        public const string ScopesSupported = "scopes_supported";
        public const string TokenEndpoint = "token_endpoint";
        public const string TokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported";

        /// <summary>Where remote resource servers read the change feed (an extension of RFC 8414's metadata).</summary>
        public const string VezaChangeFeedEndpoint = "veza_change_feed_endpoint";
    }

    /// <summary>How a client authenticates at the token, revocation and introspection endpoints (RFC 7591 §2).</summary>
    public static class ClientAuthenticationMethods
    {
        public const string ClientSecretBasic = "client_secret_basic";
        public const string ClientSecretPost = "client_secret_post";
        public const string None = "none";
    }

    /// <summary>The one value of each of these the server supports.</summary>
    public static class Values
    {
        /// <summary><c>token_type</c> of the tokens the server issues (RFC 6750).</summary>
        public const string BearerTokenType = "Bearer";

        /// <summary><c>response_type</c> of the authorization code flow.</summary>
        public const string CodeResponseType = "code";

        /// <summary><c>response_mode</c>: the answer in the redirect URI's query.</summary>
        public const string QueryResponseMode = "query";

        /// <summary><c>code_challenge_method</c> (RFC 7636 §4.2); <c>plain</c> is refused.</summary>
        public const string S256 = "S256";

        /// <summary><c>prompt=none</c>: answer without any interaction, or fail.</summary>
        public const string PromptNone = "none";

        /// <summary><c>prompt=consent</c>: ask for consent again.</summary>
        public const string PromptConsent = "consent";
    }
}
