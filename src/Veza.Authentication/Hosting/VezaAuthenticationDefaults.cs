namespace Veza.Authentication.Hosting;

/// <summary>Scheme names registered by <c>AddVezaAuthentication</c>.</summary>
public static class VezaAuthenticationDefaults
{
    /// <summary>The default scheme: accepts every kind of Veza bearer credential, routed by the token's shape.</summary>
    public const string AuthenticationScheme = "Veza";

    /// <summary>A scheme that accepts API keys only.</summary>
    public const string ApiKeyScheme = "Veza.ApiKey";

    /// <summary>A scheme that accepts OAuth2 access tokens only.</summary>
    public const string AccessTokenScheme = "Veza.AccessToken";
}
