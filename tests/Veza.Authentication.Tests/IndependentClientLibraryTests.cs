using System.Net;
using Duende.IdentityModel.Client;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A widely used OAuth client library (Duende.IdentityModel), unchanged, against the server: discovery, a token with
/// each client authentication style, introspection and revocation. It checks on its own that the issuer and the
/// endpoints agree.
/// </summary>
[TestFixture]
public sealed class IndependentClientLibraryTests
{
    private VezaTestHost _host = null!;
    private HttpClient _http = null!;
    private (string Id, string Secret) _client;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        await _host.SwitchOAuth2Async(true);
        _client = await _host.CreateClientAsync(TeamA, role: "operator", scopes: ["graph:read", "integrations:push"]);
        // The library speaks to the issuer's own address: TestServer answers for any host name.
        _http = new HttpClient(_host.TestHandler) { BaseAddress = new Uri(Issuer) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<DiscoveryDocumentResponse> DiscoverAsync()
    {
        var discovery = await _http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = Issuer,
            Policy = new DiscoveryPolicy { Authority = Issuer, DiscoveryDocumentPath = "/.well-known/oauth-authorization-server", RequireKeySet = true },
        });
        Assert.That(discovery.IsError, Is.False, discovery.Error);
        return discovery;
    }

    [Test]
    public async Task Discovery_reads_the_metadata_and_the_key_set()
    {
        var discovery = await DiscoverAsync();

        Assert.Multiple(() =>
        {
            Assert.That(discovery.Issuer, Is.EqualTo(Issuer));
            Assert.That(discovery.TokenEndpoint, Is.EqualTo(Issuer + "/oauth2/token"));
            Assert.That(discovery.GrantTypesSupported, Does.Contain("client_credentials"));
            Assert.That(discovery.TokenEndpointAuthenticationMethodsSupported, Is.EquivalentTo(new[] { "client_secret_basic", "client_secret_post", "none" }));
            Assert.That(discovery.AuthorizeEndpoint, Is.EqualTo(Issuer + "/oauth2/authorize"));
            Assert.That(discovery.KeySet!.Keys, Has.Count.GreaterThanOrEqualTo(1));
            Assert.That(discovery.KeySet.Keys[0].Kty, Is.EqualTo("RSA"));
        });
    }

    [TestCase(ClientCredentialStyle.AuthorizationHeader)]
    [TestCase(ClientCredentialStyle.PostBody)]
    public async Task The_library_gets_a_token_that_the_api_accepts(ClientCredentialStyle style)
    {
        var discovery = await DiscoverAsync();

        var token = await _http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = _client.Id,
            ClientSecret = _client.Secret,
            ClientCredentialStyle = style,
            Scope = "graph:read",
        });
        Assert.That(token.IsError, Is.False, token.Error + " " + token.ErrorDescription);

        var call = await _host.GetAsync("/api/graph", token.AccessToken);

        Assert.Multiple(() =>
        {
            Assert.That(token.TokenType, Is.EqualTo("Bearer"));
            Assert.That(token.ExpiresIn, Is.EqualTo(900));
            Assert.That(token.Scope, Is.EqualTo("graph:read"));
            Assert.That(call.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task The_library_reads_our_errors()
    {
        var discovery = await DiscoverAsync();

        var token = await _http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = _client.Id,
            ClientSecret = _client.Secret,
            Scope = "reviews:manage",
        });

        Assert.That(token.IsError, Is.True);
        Assert.That(token.Error, Is.EqualTo("invalid_scope"));
        Assert.That(token.ErrorDescription, Is.Not.Empty);
    }

    [Test]
    public async Task The_library_introspects_and_revokes()
    {
        var discovery = await DiscoverAsync();
        var token = await _http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = _client.Id,
            ClientSecret = _client.Secret,
        });

        var active = await _http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = discovery.IntrospectionEndpoint,
            ClientId = _client.Id,
            ClientSecret = _client.Secret,
            Token = token.AccessToken!,
        });
        var revoked = await _http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = discovery.RevocationEndpoint,
            ClientId = _client.Id,
            ClientSecret = _client.Secret,
            Token = token.AccessToken!,
            TokenTypeHint = "access_token",
        });
        var afterwards = await _http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = discovery.IntrospectionEndpoint,
            ClientId = _client.Id,
            ClientSecret = _client.Secret,
            Token = token.AccessToken!,
        });

        Assert.Multiple(() =>
        {
            Assert.That(active.IsError, Is.False, active.Error);
            Assert.That(active.IsActive, Is.True);
            Assert.That(active.Claims.Single(c => c.Type == "client_id").Value, Is.EqualTo(_client.Id));
            Assert.That(revoked.IsError, Is.False, revoked.Error);
            Assert.That(afterwards.IsActive, Is.False);
        });
    }

    [Test]
    public async Task The_library_builds_the_authorization_request_and_redeems_the_code_and_refreshes_for_an_app()
    {
        var discovery = await DiscoverAsync();
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var authorizeUrl = new RequestUrl(discovery.AuthorizeEndpoint!).CreateAuthorizeUrl(
            clientId: app.Id, responseType: "code", scope: "graph:read offline_access", redirectUri: AppFlow.RedirectUri, state: "lib-state",
            codeChallenge: flow.Challenge, codeChallengeMethod: "S256");
        var page = await flow.GetAsync(new Uri(authorizeUrl).PathAndQuery);
        var back = await flow.DecideAsync(new Uri(authorizeUrl).PathAndQuery, page, "allow");
        var response = new AuthorizeResponse(back.Headers.Location!.ToString());

        var tokens = await _http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = app.Id,
            ClientSecret = app.Secret!,
            Code = response.Code!,
            RedirectUri = AppFlow.RedirectUri,
            CodeVerifier = flow.Verifier,
        });
        var refreshed = await _http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = app.Id,
            ClientSecret = app.Secret!,
            RefreshToken = tokens.RefreshToken!,
        });
        var replay = await _http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = app.Id,
            ClientSecret = app.Secret!,
            RefreshToken = tokens.RefreshToken!,
        });

        Assert.That(response.State, Is.EqualTo("lib-state"));
        Assert.That(Uri.UnescapeDataString(response.Values["iss"]), Is.EqualTo(Issuer));
        Assert.That(tokens.IsError, Is.False, tokens.Error);
        Assert.That(tokens.Scope, Is.EqualTo("graph:read offline_access"));
        Assert.That(refreshed.IsError, Is.False, refreshed.Error);
        Assert.That(refreshed.RefreshToken, Is.Not.EqualTo(tokens.RefreshToken));
        Assert.That(replay.Error, Is.EqualTo("invalid_grant"));
        Assert.That((await _host.GetAsync("/api/me", refreshed.AccessToken)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the reuse revoked the family");
    }
}
