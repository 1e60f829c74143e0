namespace Veza.Authentication.JwtBearer;

/// <summary>
/// How a resource server accepts Veza access tokens: which authorization server issues them, for which audience, and
/// how it follows that server's change feed so that revoked tokens are refused. Validated when the host starts.
/// </summary>
public sealed class VezaJwtBearerOptions
{
    /// <summary>
    /// The authorization server's issuer (its <c>OAuth2.Issuer</c>), exactly as it writes it in <c>iss</c>: an absolute
    /// https URL (http only on a loopback host, for development). Its metadata is read from
    /// <c>{issuer}/.well-known/oauth-authorization-server</c>, and must name the same issuer. Required.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The audience (<c>aud</c>) tokens must carry: the server's <c>OAuth2.Audience</c>. Default: the issuer,
    /// as on the server.</summary>
    public string? Audience { get; set; }

    /// <summary>How far token times may be off between the servers' clocks. Default 30 seconds, as on the server; at
    /// most 5 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The handler for every call to the authorization server (metadata, keys, token, change feed): a proxy, a
    /// custom certificate check, or a test server. Default: a handler of this package's own.</summary>
    public HttpMessageHandler? BackchannelHttpHandler { get; set; }

    /// <summary>How long one call to the authorization server may take. Default 5 seconds.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Following the server's change feed: revoked tokens, grants and clients, signing-key changes and the
    /// OAuth2 switch.</summary>
    public VezaChangeFeedOptions ChangeFeed { get; } = new();
}

/// <summary>
/// How a resource server follows the authorization server's change feed (<c>veza_change_feed_endpoint</c> in its
/// metadata). The feed answers an OAuth2 client of the server's root team whose role holds the feed's scope; this
/// resource server gets its tokens with the client credentials grant.
/// </summary>
public sealed class VezaChangeFeedOptions
{
    /// <summary>
    /// Whether the feed is followed. Default <see langword="true"/>. Turned off, a token is accepted on its signature and
    /// lifetime alone: a revoked token, or one of a revoked client or grant, keeps working until it expires. Meant for
    /// development only.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The client id of the root-team client this resource server reads the feed as. Required while the feed is
    /// followed.</summary>
    public string? ClientId { get; set; }

    /// <summary>That client's secret. Required while the feed is followed; never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The scope asked for. Default <see cref="VezaJwtBearerDefaults.ChangeFeedScope"/>.</summary>
    public string Scope { get; set; } = VezaJwtBearerDefaults.ChangeFeedScope;

    /// <summary>How often the feed is read: a token revoked on the server is refused here within about this long.
    /// Default 1 second; from 100 milliseconds to 1 minute.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the feed may go unread before every token is refused with 503 (fail closed: a revocation may be going
    /// unseen). Reading resumes by itself and tokens are accepted again once the feed is read. Default 30 seconds; more
    /// than <see cref="PollInterval"/>.
    /// </summary>
    public TimeSpan MaxLag { get; set; } = TimeSpan.FromSeconds(30);
}
