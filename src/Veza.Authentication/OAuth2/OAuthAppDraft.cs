using Veza.Authentication.Hosting;

namespace Veza.Authentication.OAuth2;

/// <summary>What an OAuth2 app should be, when it is registered or edited.</summary>
public sealed record OAuthAppDraft
{
    /// <summary>The Client Name users see on the consent page.</summary>
    public required string Name { get; init; }

    /// <summary>The team that registers the app; empty for the caller's team (the host must name one). The app acts in
    /// its users' teams, and only administrators of the root team manage it.</summary>
    public required string TeamId { get; init; }

    /// <summary>The app's Base URL: redirect URIs must use its scheme and lie in its host or a subdomain.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>The redirect URIs, matched character for character at authorization.</summary>
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    /// <summary>The scopes the app may ask for: permission names, and <c>offline_access</c> for refresh tokens.</summary>
    public required IReadOnlyList<string> AllowedScopes { get; init; }

    /// <summary>A public app holds no secret and authenticates with PKCE alone. Chosen at registration only.</summary>
    public bool IsPublic { get; init; }

    /// <summary>Discouraged: accept any http(s) redirect URI. Turning it on is audited and logged as a warning.</summary>
    public bool AllowAnyRedirectUri { get; init; }

    /// <summary>Let registered loopback redirect URIs match with any port, for native apps (RFC 8252 §7.3).</summary>
    public bool AllowLoopbackRedirectUris { get; init; }

    /// <summary>How long the app's access tokens live; default <see cref="OAuthServerOptions.DefaultAccessTokenLifetime"/>.</summary>
    public TimeSpan? AccessTokenLifetime { get; init; }

    /// <summary>A chosen client id (for seeding); default a random one. At registration only.</summary>
    public string? ClientId { get; init; }

    /// <summary>A chosen first secret (for seeding), 32 to 256 characters; default a generated one. At registration only.</summary>
    public string? Secret { get; init; }
}
