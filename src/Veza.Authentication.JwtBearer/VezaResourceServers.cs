using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Veza.Authentication.JwtBearer;

/// <summary>One <see cref="VezaResourceServer"/> per scheme registered with <c>AddVezaJwtBearer</c>, made on first use.</summary>
internal sealed class VezaResourceServers(IOptionsMonitor<VezaJwtBearerOptions> options, TimeProvider time, ILoggerFactory loggers) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<VezaResourceServer>> _servers = new(StringComparer.Ordinal);

    public VezaResourceServer Get(string scheme)
        => _servers.GetOrAdd(scheme, s => new Lazy<VezaResourceServer>(() => new VezaResourceServer(options.Get(s), time, loggers))).Value;

    public void Dispose()
    {
        foreach (var server in _servers.Values.Where(s => s.IsValueCreated))
        {
            server.Value.Dispose();
        }
    }
}

/// <summary>
/// Everything one scheme needs to vouch for a token: the server's configuration (metadata and keys, which JwtBearer
/// reads through <see cref="AuthorizationServerConfiguration"/>), the client of its change feed, and what the feed
/// says (<see cref="TokenStates"/>), kept current by <see cref="ChangeFeedFollower"/>.
/// </summary>
internal sealed class VezaResourceServer : IDisposable
{
    private static readonly string[] AccessTokenTypes = ["at+jwt", "application/at+jwt"];
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    public VezaResourceServer(VezaJwtBearerOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        Options = options;
        _time = time;
        var handler = options.BackchannelHttpHandler;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: handler is null)
        {
            Timeout = options.BackchannelTimeout,
            MaxResponseContentBufferSize = 4 * 1024 * 1024,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Veza.Authentication.JwtBearer");
        var logger = Logger = loggers.CreateLogger("Veza.Authentication.JwtBearer");
        Configuration = new AuthorizationServerConfiguration(options.Issuer!, _http, time, logger);
        Feed = new ChangeFeedClient(options.ChangeFeed, Configuration, _http, time);
        States = new TokenStates(options, Feed, time, logger);
        Follower = new ChangeFeedFollower(options.ChangeFeed, Feed, States, Configuration, time, logger);
    }

    public VezaJwtBearerOptions Options { get; }

    public ILogger Logger { get; }

    public AuthorizationServerConfiguration Configuration { get; }

    public ChangeFeedClient Feed { get; }

    public TokenStates States { get; }

    public ChangeFeedFollower Follower { get; }

    /// <summary>JwtBearer's options for this scheme: the server's configuration, the token rules the server itself
    /// applies (AccessTokenCodec), and the handler that adds the feed's verdict and the Veza claims.</summary>
    public void ConfigureJwtBearer(JwtBearerOptions jwt)
    {
        var audience = Options.Audience ?? Options.Issuer!;
        jwt.ConfigurationManager = Configuration;
        jwt.Audience = audience;
        jwt.MapInboundClaims = false;
        jwt.RefreshOnIssuerKeyNotFound = true;
        jwt.TokenHandlers.Clear();
        jwt.TokenHandlers.Add(new VezaAccessTokenHandler(this));
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = Options.Issuer,
            ValidAudience = audience,
            ValidTypes = AccessTokenTypes,
            ValidAlgorithms = Algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RequireAudience = true,
            TryAllIssuerSigningKeys = false,
            ClockSkew = Options.ClockSkew,
            LifetimeValidator = ValidateLifetime,
            NameClaimType = VezaClaims.Name,
            RoleClaimType = VezaClaims.Role,
            AuthenticationType = "Veza",
        };
    }

    // The framework's lifetime check reads the system clock; this one reads TimeProvider, as the server's does.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp + parameters.ClockSkew && (notBefore is not { } nbf || nbf - parameters.ClockSkew <= now);
    }

    public void Dispose()
    {
        Follower.Dispose();
        Feed.Dispose();
        Configuration.Dispose();
        _http.Dispose();
    }
}
