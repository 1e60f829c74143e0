namespace Veza.Authentication.Hosting;

/// <summary>
/// The OAuth 2.0 authorization server and the access tokens it issues. The server is switched on and off at run
/// time by an administrator of the root team (sign-in settings, kept in <c>IVezaSettingsStore</c>); these options
/// only configure it. While it is off its endpoints answer 404 and its access tokens are refused.
/// </summary>
public sealed class OAuthServerOptions
{
    /// <summary>
    /// The issuer (<c>iss</c>), an absolute https URL without query or fragment (http is accepted for loopback
    /// hosts, for development). Required before the server can be switched on. It is never taken from a request's
    /// Host header.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The audience (<c>aud</c>) of access tokens: the identifier of the APIs that accept them. Default: the issuer.</summary>
    public string? Audience { get; set; }

    /// <summary>The access-token lifetime of a client that does not set one. Default 15 minutes.</summary>
    public TimeSpan DefaultAccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest access-token lifetime a client may be given. Default 1 hour.</summary>
    public TimeSpan MaxAccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far token times may be off between servers when tokens are validated. Default 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The JWS algorithm new signing keys use: <c>RS256</c> (default) or <c>ES256</c>. No other is accepted.</summary>
    public string SigningAlgorithm { get; set; } = "RS256";

    /// <summary>How long one signing key signs before the next one takes over. Default 30 days.</summary>
    public TimeSpan SigningKeyLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a new signing key is published in JWKS before it signs anything, so resources that cache JWKS
    /// know it first. Default 1 day. The very first key signs at once.
    /// </summary>
    public TimeSpan SigningKeyAnnouncement { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The most OAuth2 clients one team may hold, and the most apps one team may register. Default 50.</summary>
    public int MaxClientsPerTeam { get; set; } = 50;

    /// <summary>The prefix of client secrets (as for API keys, 1 to 16 lowercase letters or digits). Default <c>vezacs</c>.</summary>
    public string ClientSecretPrefix { get; set; } = "vezacs";

    /// <summary>The token endpoint's path. Default <c>/oauth2/token</c>.</summary>
    public string TokenPath { get; set; } = "/oauth2/token";

    /// <summary>The revocation endpoint's path (RFC 7009). Default <c>/oauth2/revoke</c>.</summary>
    public string RevocationPath { get; set; } = "/oauth2/revoke";

    /// <summary>The introspection endpoint's path (RFC 7662). Default <c>/oauth2/introspect</c>.</summary>
    public string IntrospectionPath { get; set; } = "/oauth2/introspect";

    /// <summary>The authorization endpoint's path (apps send their users here). Default <c>/oauth2/authorize</c>.</summary>
    public string AuthorizationPath { get; set; } = "/oauth2/authorize";

    /// <summary>
    /// The host's interactive authentication scheme (usually a cookie scheme): the authorization endpoint reads the
    /// signed-in user from it and challenges it when nobody is signed in, coming back to the same request afterwards.
    /// Required for apps.
    /// </summary>
    public string? InteractiveScheme { get; set; }

    /// <summary>The claim of the interactive scheme's principal that holds the user id of the host's directory.
    /// Default <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/>.</summary>
    public string UserIdClaimType { get; set; } = System.Security.Claims.ClaimTypes.NameIdentifier;

    /// <summary>How long an authorization code may be redeemed. Default 60 seconds.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The most authorization codes one user may hold for one app that are neither redeemed nor expired. Default 10.
    /// Each authorization beyond it replaces the user's oldest pending code for the app, so a user who calls the
    /// authorization endpoint in a loop never makes the grant store grow.
    /// </summary>
    public int MaxPendingCodesPerUserAndApp { get; set; } = 10;

    /// <summary>How long a refresh token works unless it is used before: each use issues a new one with a new
    /// sliding lifetime, never beyond <see cref="RefreshTokenAbsoluteLifetime"/>. Default 30 days, as Veza keeps an
    /// app's refresh token: an app idle for less than that keeps working.</summary>
    public TimeSpan RefreshTokenSlidingLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest an authorization lasts through refresh tokens, from the user's consent. Default 30 days.</summary>
    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Words for scopes on the consent page, by scope name; a scope without words is shown by its name.</summary>
    public IDictionary<string, string> ScopeDescriptions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [OfflineAccessScope] = "Keep access while you are away (until you withdraw it)",
    };

    /// <summary>The scope an app asks for to get refresh tokens.</summary>
    public const string OfflineAccessScope = "offline_access";

    /// <summary>
    /// The change feed's path: resource servers in other processes (<c>Veza.Authentication.JwtBearer</c>) read the
    /// revocations, client and grant changes, signing-key changes and the switch from it, and the states of the clients
    /// and grants their tokens name from <c>{path}/clients/{id}</c> and <c>{path}/grants/{id}</c>. Published in the
    /// metadata as <c>veza_change_feed_endpoint</c>. Default <c>/oauth2/changes</c>.
    /// </summary>
    public string ChangeFeedPath { get; set; } = "/oauth2/changes";

    /// <summary>
    /// The scope a caller of the change feed must hold. The feed names every team's revoked tokens, grants and clients,
    /// so it answers only an OAuth2 client of the root team (client credentials) whose access token carries this scope;
    /// as every scope is a permission, give it to a role (<c>options.AddRole("resource_server", "veza:changes")</c>) and
    /// create a root-team client with that role. Default <c>veza:changes</c>.
    /// </summary>
    public string ChangeFeedScope { get; set; } = "veza:changes";

    /// <summary>The JWKS path. Default <c>/oauth2/jwks</c>.</summary>
    public string JwksPath { get; set; } = "/oauth2/jwks";

    /// <summary>The metadata path (RFC 8414); fixed by the RFC for an issuer without a path.</summary>
    public const string MetadataPath = "/.well-known/oauth-authorization-server";
}
