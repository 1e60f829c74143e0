namespace Veza.Authentication.Samples.WebApp;

/// <summary>The <c>VezaServer</c> configuration section: where the Veza server is and how this app is registered there.</summary>
public sealed class VezaServerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "VezaServer";

    /// <summary>The name of the OAuth authentication scheme that signs users in with Veza.</summary>
    public const string Scheme = "Veza";

    /// <summary>The scopes asked for when none are configured.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = ["graph:read", "users:read", "offline_access"];

    /// <summary>The server's base URL (its issuer). Default <c>http://127.0.0.1:5080</c>.</summary>
    public string Url { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The app's client id. Default <c>sample-webapp</c>, as the sample server seeds it.</summary>
    public string ClientId { get; set; } = "sample-webapp";

    /// <summary>The app's client secret. Default the sample server's seeded one.</summary>
    public string ClientSecret { get; set; } = "sample-webapp-secret-change-me-0123456789";

    /// <summary>The scopes to ask for; <see cref="DefaultScopes"/> when empty.</summary>
    public IReadOnlyList<string>? Scopes { get; set; }

    /// <summary>The server's base URL without a trailing slash.</summary>
    public string BaseUrl => Url.TrimEnd('/');

    /// <summary>The authorization endpoint, where users sign in and consent.</summary>
    public string AuthorizationEndpoint => BaseUrl + "/oauth2/authorize";

    /// <summary>The token endpoint, where codes and refresh tokens are exchanged.</summary>
    public string TokenEndpoint => BaseUrl + "/oauth2/token";

    /// <summary>The server's revocation endpoint (RFC 7009).</summary>
    public string RevocationEndpoint => BaseUrl + "/oauth2/revoke";
}
