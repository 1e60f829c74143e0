namespace Veza.Authentication.Hosting;

/// <summary>Scheme names registered by <c>AddVezaAuthentication</c>.</summary>
public static class VezaAuthenticationDefaults
{
    /// <summary>The default scheme: a policy scheme that sends each bearer token to the handler for its kind.</summary>
    public const string AuthenticationScheme = "Veza";

    /// <summary>The scheme that validates API keys.</summary>
    public const string ApiKeyScheme = "Veza.ApiKey";
}
