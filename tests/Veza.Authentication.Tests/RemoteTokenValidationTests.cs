using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Tests.Infrastructure;

namespace Veza.Authentication.Tests;

/// <summary>
/// A resource server holding only <c>AddVezaJwtBearer</c>, against the sample server as the README runs it: the
/// sample's tokens are accepted with the Veza principal, and forged, foreign and expired ones are refused with one
/// RFC 6750 answer, by JwtBearer with the server's own rules.
/// </summary>
[TestFixture]
public sealed class RemoteTokenValidationTests
{
    private const string Issuer = "http://127.0.0.1:5080";
    private static readonly (string Id, string Secret) Worker = ("engineering-worker", "sample-worker-secret-change-me-0123456789");
    private static readonly (string Id, string Secret) FeedClient = ("sample-resource-server", "sample-resource-server-secret-change-me-0123456789");
    private readonly SampleDatabase _database = new();
    private WebApplicationFactory<Program> _sample = null!;
    private ResourceServerHost _api = null!;
    private string _token = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _sample = new WebApplicationFactory<Program>().WithWebHostBuilder(b => _database.Use(b).UseEnvironment("Development"));
        _token = await TokenAsync(Worker);
        _api = await ResourceServerHost.StartAsync(Issuer, _sample.Server.CreateHandler(), FeedClient);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _api.DisposeAsync();
        await _sample.DisposeAsync();
        _database.Dispose();
    }

    private async Task<string> TokenAsync((string Id, string Secret) client)
    {
        using var http = _sample.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token") { Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(client.Id + ":" + client.Secret)));
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    private Dictionary<string, object> Claims() => JsonSerializer.Deserialize<Dictionary<string, object>>(Base64UrlEncoder.Decode(_token.Split('.')[1]))!;

    private async Task<SigningCredentials> RealKeyAsync()
        => (await _sample.Services.GetRequiredService<SigningKeyRing>().GetAsync(CancellationToken.None)).Signing;

    private static string Sign(Dictionary<string, object> claims, SigningCredentials credentials, string? type = "at+jwt", Action<Dictionary<string, object>>? change = null)
    {
        var copy = new Dictionary<string, object>(claims);
        change?.Invoke(copy);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }
            .CreateToken(new SecurityTokenDescriptor { Claims = copy, SigningCredentials = credentials, TokenType = type });
    }

    private async Task AssertRefusedAsync(string token)
    {
        var response = await _api.GetAsync("/api/me", token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(),
            Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\""), "one answer, whatever is wrong");
    }

    [Test]
    public async Task The_sample_servers_token_is_accepted_with_the_principal_the_server_would_make()
    {
        var me = await _api.MeAsync(_token);
        var claims = me.GetProperty("claims");
        string One(string type) => claims.GetProperty(type)[0].GetString()!;
        string[] All(string type) => [.. claims.GetProperty(type).EnumerateArray().Select(x => x.GetString()!)];

        Assert.Multiple(() =>
        {
            Assert.That(One("sub"), Is.EqualTo("client:engineering-worker"));
            Assert.That(One("veza_principal_type"), Is.EqualTo("client"));
            Assert.That(One("veza_auth_method"), Is.EqualTo("oauth2_client"));
            Assert.That(One("veza_credential_id"), Is.EqualTo("engineering-worker"));
            Assert.That(One("veza_team_id"), Is.EqualTo("engineering"));
            Assert.That(One("client_id"), Is.EqualTo("engineering-worker"));
            Assert.That(All("scope"), Is.EquivalentTo(new[] { "graph:read", "integrations:push" }));
            Assert.That(All("veza_permission"), Is.EquivalentTo(new[] { "graph:read", "integrations:push" }));
            Assert.That(claims.TryGetProperty("role", out _), Is.False, "the role's permissions are the server's to know: no role claim");
            Assert.That(claims.TryGetProperty("veza_secret_id", out _), Is.False, "only the Veza claims, not the token's bindings");
        });
    }

    [Test]
    public async Task A_permission_policy_sees_the_tokens_scopes()
        => Assert.That((await _api.GetAsync("/api/graph", _token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

    [Test]
    public async Task A_request_without_a_token_is_challenged_without_an_error_code()
    {
        var response = await _api.Client.GetAsync("/api/me");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task A_token_signed_by_a_foreign_key_with_the_servers_kid_is_refused()
    {
        using var foreign = RSA.Create(2048);
        var key = new RsaSecurityKey(foreign) { KeyId = new JsonWebToken(_token).Kid };

        await AssertRefusedAsync(Sign(Claims(), new SigningCredentials(key, SecurityAlgorithms.RsaSha256)));
    }

    [Test]
    public async Task Alg_none_is_refused()
    {
        var header = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "at+jwt", ["kid"] = new JsonWebToken(_token).Kid }));

        await AssertRefusedAsync(header + "." + _token.Split('.')[1] + ".");
    }

    [Test]
    public async Task Hs256_signed_with_the_servers_public_key_is_refused()
    {
        using var http = _sample.CreateClient();
        var key = JsonDocument.Parse(await http.GetStringAsync("/oauth2/jwks")).RootElement.GetProperty("keys")[0];
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(key.GetProperty("n").GetString()),
            Exponent = Base64UrlEncoder.DecodeBytes(key.GetProperty("e").GetString()),
        });
        var kid = key.GetProperty("kid").GetString();

        await AssertRefusedAsync(Sign(Claims(), new SigningCredentials(
            new SymmetricSecurityKey(Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem())) { KeyId = kid }, SecurityAlgorithms.HmacSha256)));
        await AssertRefusedAsync(Sign(Claims(), new SigningCredentials(
            new SymmetricSecurityKey(rsa.ExportSubjectPublicKeyInfo()) { KeyId = kid }, SecurityAlgorithms.HmacSha256)));
    }

    [Test]
    public async Task A_token_of_the_servers_key_without_the_at_jwt_type_is_refused()
    {
        var real = await RealKeyAsync();

        await AssertRefusedAsync(Sign(Claims(), real, type: null));
        await AssertRefusedAsync(Sign(Claims(), real, type: "JWT"));
    }

    [Test]
    public async Task A_token_of_the_servers_key_for_another_audience_or_from_another_issuer_is_refused()
    {
        var real = await RealKeyAsync();

        await AssertRefusedAsync(Sign(Claims(), real, change: c => c["aud"] = "https://another-api.test"));
        await AssertRefusedAsync(Sign(Claims(), real, change: c => c["iss"] = "https://elsewhere.test"));
        Assert.That((await _api.GetAsync("/api/me", Sign(Claims(), real))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same token re-signed unchanged passes");
    }

    [Test]
    public async Task An_expired_token_is_refused_and_one_within_the_clock_skew_is_not()
    {
        var real = await RealKeyAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await AssertRefusedAsync(Sign(Claims(), real, change: c => { c["iat"] = now - 7200; c["nbf"] = now - 7200; c["exp"] = now - 600; }));
        Assert.That((await _api.GetAsync("/api/me", Sign(Claims(), real, change: c => { c["iat"] = now - 600; c["nbf"] = now - 600; c["exp"] = now - 10; }))).StatusCode,
            Is.EqualTo(HttpStatusCode.OK), "10 s past expiry is within the 30 s skew, as on the server");
    }

    [Test]
    public async Task A_token_of_the_servers_key_without_the_veza_claims_is_refused()
    {
        var real = await RealKeyAsync();

        await AssertRefusedAsync(Sign(Claims(), real, change: c => c.Remove("veza_secret_id")));
        await AssertRefusedAsync(Sign(Claims(), real, change: c => c["sub"] = "client:someone-else"));
    }
}
