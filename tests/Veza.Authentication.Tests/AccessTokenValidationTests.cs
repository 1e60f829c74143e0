using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>Forged, tampered and foreign tokens are refused alike; signing keys rotate without refusing valid tokens.</summary>
[TestFixture]
public sealed class AccessTokenValidationTests
{
    private VezaTestHost _host = null!;
    private (string Id, string Secret) _client;
    private string _token = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        await _host.SwitchOAuth2Async(true);
        _client = await _host.CreateClientAsync(TeamA);
        _token = await _host.GetTokenAsync(_client);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));

    private static Dictionary<string, object> Decode(string part)
        => JsonSerializer.Deserialize<Dictionary<string, object>>(Base64UrlEncoder.Decode(part))!;

    // The claims of the valid token, to be re-signed in the ways an attacker would.
    private Dictionary<string, object> Claims() => Decode(_token.Split('.')[1]);

    private async Task<SigningCredentials> RealKeyAsync()
        => (await _host.Services.GetRequiredService<SigningKeyRing>().GetAsync(CancellationToken.None)).Signing;

    private static string Sign(Dictionary<string, object> claims, SigningCredentials credentials, string? type = "at+jwt", Action<Dictionary<string, object>>? change = null)
    {
        var copy = new Dictionary<string, object>(claims);
        change?.Invoke(copy);
        var descriptor = new SecurityTokenDescriptor { Claims = copy, SigningCredentials = credentials, TokenType = type };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private async Task AssertRefusedAsync(string token)
    {
        var response = await _host.GetAsync("/api/me", token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(),
            Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\""), "one answer, whatever is wrong");
    }

    [Test]
    public async Task The_genuine_token_is_accepted()
    {
        Assert.That((await _host.GetAsync("/api/me", _token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var header = new JsonWebToken(_token);
        Assert.That(header.Typ, Is.EqualTo("at+jwt"));
        Assert.That(header.Alg, Is.EqualTo("RS256"));
        Assert.That(header.Kid, Is.Not.Empty);
    }

    [Test]
    public async Task Alg_none_is_refused()
    {
        var parts = _token.Split('.');
        var header = Encode(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "at+jwt", ["kid"] = new JsonWebToken(_token).Kid });

        await AssertRefusedAsync(header + "." + parts[1] + ".");
    }

    [Test]
    public async Task Hs256_signed_with_the_public_key_is_refused()
    {
        var jwks = await _host.Client.GetStringAsync("/oauth2/jwks");
        var key = JsonDocument.Parse(jwks).RootElement.GetProperty("keys")[0];
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(key.GetProperty("n").GetString()),
            Exponent = Base64UrlEncoder.DecodeBytes(key.GetProperty("e").GetString()),
        });
        var pem = Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem());
        var symmetric = new SymmetricSecurityKey(pem) { KeyId = key.GetProperty("kid").GetString() };

        await AssertRefusedAsync(Sign(Claims(), new SigningCredentials(symmetric, SecurityAlgorithms.HmacSha256)));
        await AssertRefusedAsync(Sign(Claims(), new SigningCredentials(new SymmetricSecurityKey(jwks.Length >= 32 ? Encoding.ASCII.GetBytes(jwks) : pem)
            { KeyId = key.GetProperty("kid").GetString() }, SecurityAlgorithms.HmacSha256)));
    }

    [Test]
    public async Task A_token_without_the_at_jwt_type_is_refused()
    {
        var real = await RealKeyAsync();

        await AssertRefusedAsync(Sign(Claims(), real, type: null));
        await AssertRefusedAsync(Sign(Claims(), real, type: "JWT"));
    }

    [Test]
    public async Task A_token_of_another_issuer_or_audience_is_refused()
    {
        var real = await RealKeyAsync();

        await AssertRefusedAsync(Sign(Claims(), real, change: c => c["iss"] = "https://elsewhere.test"));
        await AssertRefusedAsync(Sign(Claims(), real, change: c => c["aud"] = "https://another-api.test"));
    }

    [Test]
    public async Task An_expired_token_is_refused()
    {
        var real = await RealKeyAsync();
        var past = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();

        await AssertRefusedAsync(Sign(Claims(), real, change: c => { c["iat"] = past; c["nbf"] = past; c["exp"] = past + 600; }));
    }

    [Test]
    public async Task A_token_signed_by_a_foreign_key_with_our_kid_is_refused()
    {
        using var foreign = RSA.Create(2048);
        var key = new RsaSecurityKey(foreign) { KeyId = new JsonWebToken(_token).Kid };

        await AssertRefusedAsync(Sign(Claims(), new SigningCredentials(key, SecurityAlgorithms.RsaSha256)));
    }

    [Test]
    public async Task A_token_whose_payload_was_changed_is_refused()
    {
        var parts = _token.Split('.');
        var claims = Claims();
        claims["veza_team_id"] = TeamB;

        await AssertRefusedAsync(parts[0] + "." + Encode(claims) + "." + parts[2]);
    }

    [Test]
    public async Task A_token_in_the_query_string_is_not_read()
    {
        var response = await _host.Client.GetAsync("/api/me?access_token=" + _token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Keys_rotate_new_ones_are_announced_first_and_old_tokens_stay_valid_until_they_expire()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        await using var host = await VezaTestHost.StartAsync(
            services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)),
            options: o =>
            {
                o.OAuth2.SigningKeyLifetime = TimeSpan.FromHours(2);
                o.OAuth2.SigningKeyAnnouncement = TimeSpan.FromMinutes(30);
            });
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA, lifetime: TimeSpan.FromHours(1));
        var first = new JsonWebToken(await host.GetTokenAsync(client)).Kid;
        async Task<string[]> PublishedAsync() => [.. JsonDocument.Parse(await host.Client.GetStringAsync("/oauth2/jwks")).RootElement
            .GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];

        time.Advance(TimeSpan.FromMinutes(100));
        var late = await host.GetTokenAsync(client);
        var announced = await PublishedAsync();

        time.Advance(TimeSpan.FromMinutes(25));
        var next = await host.GetTokenAsync(client);
        var lateStillValid = (await host.GetAsync("/api/me", late)).StatusCode;

        time.Advance(TimeSpan.FromHours(2));
        var afterRetirement = await PublishedAsync();

        Assert.Multiple(() =>
        {
            Assert.That(new JsonWebToken(late).Kid, Is.EqualTo(first), "the old key signs until its time is up");
            Assert.That(announced, Has.Length.EqualTo(2), "the successor is published before it signs");
            Assert.That(new JsonWebToken(next).Kid, Is.Not.EqualTo(first).And.AnyOf(announced));
            Assert.That(lateStillValid, Is.EqualTo(HttpStatusCode.OK), "a token of the old key is valid until it expires");
            Assert.That(afterRetirement, Does.Not.Contain(first), "the old key leaves JWKS after its last token expired");
        });
    }

    [Test]
    public async Task Es256_keys_sign_and_validate_and_are_published_as_ec_keys()
    {
        await using var host = await VezaTestHost.StartAsync(options: o => o.OAuth2.SigningAlgorithm = "ES256");
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);

        var token = await host.GetTokenAsync(client);
        var jwks = JsonDocument.Parse(await host.Client.GetStringAsync("/oauth2/jwks")).RootElement.GetProperty("keys")[0];

        Assert.Multiple(async () =>
        {
            Assert.That(new JsonWebToken(token).Alg, Is.EqualTo("ES256"));
            Assert.That(jwks.GetProperty("kty").GetString(), Is.EqualTo("EC"));
            Assert.That(jwks.GetProperty("crv").GetString(), Is.EqualTo("P-256"));
            Assert.That(jwks.TryGetProperty("d", out _), Is.False, "never the private part");
            Assert.That((await host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Signing_keys_are_stored_protected_and_jwks_holds_public_parts_only()
    {
        var stored = await _host.Services.GetRequiredService<Veza.Authentication.Stores.ISigningKeyStore>().ListAsync(CancellationToken.None);
        var jwks = JsonDocument.Parse(await _host.Client.GetStringAsync("/oauth2/jwks")).RootElement.GetProperty("keys")[0];

        Assert.That(stored, Has.Count.EqualTo(1));
        using var rsa = RSA.Create();
        Assert.Throws<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(stored[0].ProtectedPrivateKey, out _), "not a plain private key");
        Assert.Multiple(() =>
        {
            foreach (var privateMember in new[] { "d", "p", "q", "dp", "dq", "qi" })
            {
                Assert.That(jwks.TryGetProperty(privateMember, out _), Is.False, privateMember);
            }
        });
    }

    [Test]
    public async Task A_token_works_until_it_expires_plus_the_clock_skew_and_then_is_inactive_everywhere()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await VezaTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)),
            options: o => o.OAuth2.ClockSkew = TimeSpan.FromSeconds(30));
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA, lifetime: TimeSpan.FromMinutes(5));
        var token = await host.GetTokenAsync(client);

        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(20));
        var withinSkew = (await host.GetAsync("/api/me", token)).StatusCode;
        time.Advance(TimeSpan.FromSeconds(15));
        var expired = (await host.GetAsync("/api/me", token)).StatusCode;
        var introspected = await JsonAsync(await host.PostFormAsync("/oauth2/introspect", [new("token", token)], client));

        Assert.That(withinSkew, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(expired, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(introspected.GetProperty("active").GetBoolean(), Is.False);
    }
}
