using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;

namespace Veza.Authentication.Samples.Worker;

/// <summary>
/// Gets client-credentials tokens with Duende.IdentityModel (discovery, then the token endpoint with
/// <c>client_secret_basic</c>) and keeps the current one until shortly before it expires. One request at a time
/// renews it; the others wait for the same token.
/// </summary>
public sealed class ClientCredentialsTokenCache(IHttpClientFactory http, IOptions<WorkerOptions> options, TimeProvider time, ILogger<ClientCredentialsTokenCache> logger)
    : IDisposable
{
    /// <summary>The named HttpClient that talks to the authorization server.</summary>
    public const string AuthorizationServerClient = "veza-authorization-server";

    private readonly SemaphoreSlim _renewing = new(1, 1);
    private (string Token, DateTimeOffset RenewAt)? _current;

    /// <summary>How many tokens were requested so far.</summary>
    public int TokensRequested { get; private set; }

    /// <summary>The cached token, or a new one when there is none or it is about to expire.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The access token.</returns>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() < current.RenewAt)
        {
            return current.Token;
        }

        await _renewing.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } renewed && time.GetUtcNow() < renewed.RenewAt)
            {
                return renewed.Token;
            }

            var settings = options.Value;
            using var client = http.CreateClient(AuthorizationServerClient);
            var discovery = await client.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
            {
                Address = settings.Authority.ToString(),
                Policy = new DiscoveryPolicy { DiscoveryDocumentPath = "/.well-known/oauth-authorization-server" },
            }, cancellationToken);
            if (discovery.IsError)
            {
                throw new InvalidOperationException("Discovery failed: " + discovery.Error);
            }

            var response = await client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
            {
                Address = discovery.TokenEndpoint,
                ClientId = settings.ClientId,
                ClientSecret = settings.ClientSecret,
                Scope = string.IsNullOrWhiteSpace(settings.Scope) ? null : settings.Scope,
            }, cancellationToken);
            if (response.IsError || response.AccessToken is null)
            {
                throw new InvalidOperationException($"The token request failed: {response.Error} {response.ErrorDescription}");
            }

            TokensRequested++;
            var renewAt = time.GetUtcNow() + TimeSpan.FromSeconds(response.ExpiresIn) - settings.RenewBeforeExpiry;
            _current = (response.AccessToken, renewAt);
            Log.GotToken(logger, response.Scope, response.ExpiresIn);
            return response.AccessToken;
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>Drops the cached token (after the API refused it), so the next call gets a new one.</summary>
    public void Forget() => _current = null;

    /// <inheritdoc />
    public void Dispose() => _renewing.Dispose();
}

/// <summary>Adds the cached token to every API call; on a 401 it gets a new token and tries once more.</summary>
public sealed class ClientCredentialsHandler(ClientCredentialsTokenCache tokens) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.SetBearerToken(await tokens.GetAsync(cancellationToken));
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }

        response.Dispose();
        tokens.Forget();
        request.SetBearerToken(await tokens.GetAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}
