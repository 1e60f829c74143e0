using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Veza.Authentication.JwtBearer;

/// <summary>
/// JwtBearer's view of the authorization server: its metadata (RFC 8414, <c>/.well-known/oauth-authorization-server</c>)
/// and the signing keys of its JWKS. It is read on first use, again when the change feed says a signing key was added
/// or removed (<see cref="RefreshAsync"/>), when a token names a key not known here (<see cref="RequestRefresh"/>, at most
/// once a second, so tokens with made-up key ids cannot make every request call the server), and at the latest every
/// 12 hours. A document that names another issuer is refused; a failed read keeps the keys already known.
/// </summary>
internal sealed class AuthorizationServerConfiguration : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    private const string MetadataPath = "/.well-known/oauth-authorization-server";
    private static readonly TimeSpan ReadEvery = TimeSpan.FromHours(12);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnknownKeyRefreshEvery = TimeSpan.FromSeconds(1);

    private readonly string _issuer;
    private readonly Uri _metadata;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private ServerConfiguration? _current;
    private long _readAgainAt;
    private long _unknownKeyRefreshAt;

    public AuthorizationServerConfiguration(string issuer, HttpClient http, TimeProvider time, ILogger logger)
    {
        _issuer = issuer;
        _metadata = new Uri(issuer.TrimEnd('/') + MetadataPath);
        _http = http;
        _time = time;
        _logger = logger;
    }

    /// <summary>The configuration last read, or <see langword="null"/> before the first read succeeded.</summary>
    public ServerConfiguration? Current => Volatile.Read(ref _current);

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
        => (await GetAsync(cancel).ConfigureAwait(false)).Protocol;

    /// <summary>The configuration; read from the server when never read or due.</summary>
    public async ValueTask<ServerConfiguration> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _readAgainAt))
        {
            return current;
        }

        return await ReadAsync(force: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>JwtBearer found a token signed by a key not known here: read again on next use, at most once a second.</summary>
    public void RequestRefresh()
    {
        if (AllowUnknownKeyRefresh())
        {
            Volatile.Write(ref _readAgainAt, 0);
        }
    }

    /// <summary>A token names a key not known here: reads at once, at most once a second; whether anything new was read.</summary>
    public async ValueTask<bool> RefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        if (!AllowUnknownKeyRefresh())
        {
            return false;
        }

        try
        {
            await ReadAsync(force: true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Logged by the read; the token is refused as signed by an unknown key.
            return false;
        }
    }

    private bool AllowUnknownKeyRefresh()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var allowed = Volatile.Read(ref _unknownKeyRefreshAt);
        return now >= allowed && Interlocked.CompareExchange(ref _unknownKeyRefreshAt, now + UnknownKeyRefreshEvery.Ticks, allowed) == allowed;
    }

    /// <summary>Reads the metadata and keys now (the change feed said the signing keys changed). Throws when the server
    /// cannot be read; the keys known before stay in use.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken) => await ReadAsync(force: true, cancellationToken).ConfigureAwait(false);

    private async ValueTask<ServerConfiguration> ReadAsync(bool force, CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            if (!force && current is not null && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _readAgainAt))
            {
                return current;
            }

            try
            {
                var read = await FetchAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _current, read);
                Volatile.Write(ref _readAgainAt, (_time.GetUtcNow() + ReadEvery).UtcTicks);
                Log.ConfigurationRead(_logger, read.Protocol.SigningKeys.Count);
                return read;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.ConfigurationUnreadable(_logger, ex, _metadata.ToString());
                Volatile.Write(ref _readAgainAt, (_time.GetUtcNow() + RetryAfterFailure).UtcTicks);
                if (current is null || force)
                {
                    throw;
                }

                return current;
            }
        }
        finally
        {
            _reading.Release();
        }
    }

    private async Task<ServerConfiguration> FetchAsync(CancellationToken cancellationToken)
    {
        using var metadata = await GetJsonAsync(_metadata, cancellationToken).ConfigureAwait(false);
        var root = metadata.RootElement;
        if (String(root, "issuer") != _issuer)
        {
            // RFC 8414 §3.3: metadata naming another issuer must not be used.
            throw new InvalidOperationException("The authorization server's metadata names another issuer.");
        }

        var jwksUri = Endpoint(root, "jwks_uri") ?? throw new InvalidOperationException("The authorization server's metadata has no usable jwks_uri.");
        var protocol = new OpenIdConnectConfiguration { Issuer = _issuer, JwksUri = jwksUri.ToString() };
        var tokenEndpoint = Endpoint(root, "token_endpoint");
        protocol.TokenEndpoint = tokenEndpoint?.ToString();
        using var response = await _http.GetAsync(jwksUri, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var keys = new JsonWebKeySet(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        foreach (var key in keys.Keys)
        {
            // Only signing keys of the two algorithms the server uses; anything else in the set is ignored.
            if ((key.Use is null || key.Use == "sig") && !string.IsNullOrEmpty(key.Kid)
                && ((key.Kty == "RSA" && key.Alg is null or SecurityAlgorithms.RsaSha256) || (key.Kty == "EC" && key.Crv == "P-256" && key.Alg is null or SecurityAlgorithms.EcdsaSha256)))
            {
                protocol.SigningKeys.Add(key);
            }
        }

        return new ServerConfiguration(protocol, tokenEndpoint, Endpoint(root, "veza_change_feed_endpoint"));
    }

    private async Task<JsonDocument> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new AuthorizationServerOffException();
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? String(JsonElement root, string name)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // An endpoint the metadata names: an absolute https URL, or http on a loopback host, like the issuer.
    private static Uri? Endpoint(JsonElement root, string name)
        => String(root, name) is { } value && VezaJwtBearerOptionsValidator.IsServerUrl(value) ? new Uri(value) : null;

    public void Dispose() => _reading.Dispose();
}

/// <summary>One reading of the server: what JwtBearer validates with, and where the token and change feed endpoints are.</summary>
internal sealed record ServerConfiguration(OpenIdConnectConfiguration Protocol, Uri? TokenEndpoint, Uri? ChangeFeedEndpoint);

/// <summary>The authorization server answered 404 where it publishes its metadata or feed: it is switched off (or does
/// not publish them), and its tokens are refused until it answers again.</summary>
internal sealed class AuthorizationServerOffException : Exception
{
    public AuthorizationServerOffException()
        : base("The authorization server answers 404: it is switched off, or does not publish this endpoint.")
    {
    }
}
