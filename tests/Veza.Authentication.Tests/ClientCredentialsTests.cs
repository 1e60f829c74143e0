using System.Net;
using System.Text;
using System.Text.Json;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>The client credentials grant through real HTTP: the token endpoint's answers and errors, and the token at the API.</summary>
[TestFixture]
public sealed class ClientCredentialsTests
{
    private static readonly KeyValuePair<string, string> Grant = new("grant_type", "client_credentials");
    private VezaTestHost _host = null!;
    private (string Id, string Secret) _client;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        await _host.SwitchOAuth2Async(true);
        _client = await _host.CreateClientAsync(TeamA, role: "operator", scopes: ["graph:read", "integrations:push"]);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private static async Task<JsonElement> OAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        var json = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("error").GetString(), Is.EqualTo(error));
            Assert.That(json.GetProperty("error_description").GetString(), Is.Not.Empty);
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(text, Does.Not.Contain("   at "));
        });
        return json;
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_client_gets_a_bearer_token_with_basic_or_post_authentication(bool basic)
    {
        var response = await _host.PostFormAsync("/oauth2/token", [Grant], _client, basic);
        var json = await JsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(json.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(json.GetProperty("expires_in").GetInt32(), Is.EqualTo(900));
            Assert.That(json.GetProperty("scope").GetString(), Is.EqualTo("graph:read integrations:push"));
            Assert.That(json.TryGetProperty("refresh_token", out _), Is.False);
        });
    }

    [Test]
    public async Task The_token_acts_as_the_client_in_its_team_with_the_granted_scopes_only()
    {
        var token = await _host.GetTokenAsync(_client, "graph:read");

        var me = await JsonAsync(await _host.GetAsync("/api/me", token));
        var push = await _host.SendAsync(HttpMethod.Post, "/api/push", token);
        var graph = await _host.GetAsync("/api/graph", token);

        Assert.Multiple(() =>
        {
            Assert.That(me.GetProperty("subject").GetString(), Is.EqualTo("client:" + _client.Id));
            Assert.That(me.GetProperty("principal_type").GetString(), Is.EqualTo("client"));
            Assert.That(me.GetProperty("team_id").GetString(), Is.EqualTo(TeamA));
            Assert.That(me.GetProperty("method").GetString(), Is.EqualTo("oauth2_client"));
            Assert.That(me.GetProperty("roles").GetArrayLength(), Is.Zero, "graph:read does not cover everything an operator may do");
            Assert.That(me.GetProperty("permissions").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "graph:read" }));
            Assert.That(graph.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a scope not granted is a permission not held");
        });
    }

    [Test]
    public async Task Without_a_scope_parameter_the_token_carries_the_allowed_scopes()
    {
        var token = await _host.GetTokenAsync(_client);

        var push = await _host.SendAsync(HttpMethod.Post, "/api/push", token);

        Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("users:read", Description = "a permission of the role the client is not allowed")]
    [TestCase("reviews:manage", Description = "a permission no role of the client has")]
    [TestCase("graph:read admin", Description = "one known, one unknown")]
    public async Task A_scope_that_is_unknown_or_not_allowed_is_invalid_scope(string scope)
    {
        var response = await _host.PostFormAsync("/oauth2/token", [Grant, new("scope", scope)], _client);

        await OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Test]
    public async Task A_wrong_secret_is_invalid_client_with_a_basic_challenge_when_basic_was_used()
    {
        var wrong = (_client.Id, _client.Secret[..^1] + (_client.Secret[^1] == 'A' ? 'B' : 'A'));

        var basic = await _host.PostFormAsync("/oauth2/token", [Grant], wrong, basic: true, clientIp: "198.51.100.1");
        var post = await _host.PostFormAsync("/oauth2/token", [Grant], wrong, basic: false, clientIp: "198.51.100.1");

        await OAuthErrorAsync(basic, HttpStatusCode.Unauthorized, "invalid_client");
        await OAuthErrorAsync(post, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.That(basic.Headers.WwwAuthenticate.ToString(), Does.StartWith("Basic"));
        Assert.That(post.Headers.WwwAuthenticate, Is.Empty);
    }

    [Test]
    public async Task An_unknown_client_is_invalid_client()
    {
        var response = await _host.PostFormAsync("/oauth2/token", [Grant], ("nobody", _client.Secret), clientIp: "198.51.100.2");

        await OAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task No_client_authentication_is_invalid_client()
    {
        var response = await _host.PostFormAsync("/oauth2/token", [Grant]);

        await OAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task Both_authentication_methods_at_once_are_invalid_request()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token")
        {
            Content = new FormUrlEncodedContent([Grant, new("client_id", _client.Id), new("client_secret", _client.Secret)]),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(_client.Id + ":" + _client.Secret)));

        await OAuthErrorAsync(await _host.Client.SendAsync(request), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task Basic_credentials_are_form_decoded()
    {
        // RFC 6749 §2.3.1: id and secret are form-encoded before Base64, so '%3A' in the id is a ':' of the id.
        var created = await _host.Clients.CreateAsync(new Veza.Authentication.OAuth2.OAuthClientDraft
        {
            Name = "decoded",
            TeamId = TeamA,
            ClientId = "svc.with-odd_chars",
            Secret = "a secret with spaces, a + plus and a colon : in it",
        }, VezaCaller.Host, CancellationToken.None);
        Assert.That(created.Result, Is.EqualTo(Veza.Authentication.OAuth2.OAuthClientResult.Success), created.Error);

        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token") { Content = new FormUrlEncodedContent([Grant]) };
        var encoded = "svc.with-odd_chars:" + "a+secret+with+spaces%2C+a+%2B+plus+and+a+colon+%3A+in+it";
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(encoded)));

        var response = await _host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_get_is_invalid_request()
    {
        var response = await _host.Client.GetAsync("/oauth2/token?grant_type=client_credentials");

        await OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task A_json_body_is_invalid_request()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token")
        {
            Content = new StringContent("{\"grant_type\":\"client_credentials\"}", Encoding.UTF8, "application/json"),
        };

        await OAuthErrorAsync(await _host.Client.SendAsync(request), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task A_repeated_parameter_is_invalid_request()
    {
        var response = await _host.PostFormAsync("/oauth2/token", [Grant, new("scope", "graph:read"), new("scope", "integrations:push")], _client);

        var json = await OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.That(json.GetProperty("error_description").GetString(), Does.Contain("scope"));
    }

    [Test]
    public async Task A_missing_grant_type_is_invalid_request_and_another_grant_is_unsupported()
    {
        var missing = await _host.PostFormAsync("/oauth2/token", [new("scope", "graph:read")], _client);
        var password = await _host.PostFormAsync("/oauth2/token", [new("grant_type", "password"), new("username", "u"), new("password", "p")], _client);

        await OAuthErrorAsync(missing, HttpStatusCode.BadRequest, "invalid_request");
        await OAuthErrorAsync(password, HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Test]
    public async Task An_oversized_form_is_invalid_request()
    {
        var fields = Enumerable.Range(0, 100).Select(i => new KeyValuePair<string, string>("p" + i, "v")).Prepend(Grant);

        var response = await _host.PostFormAsync("/oauth2/token", fields, _client);

        await OAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task A_client_secret_is_checked_with_argon2id_once_for_many_token_requests()
    {
        await using var host = await VezaTestHost.StartAsync(services: CountingHasher.Register);
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);
        var hasher = (CountingHasher)host.Services.GetRequiredService<Veza.Authentication.Secrets.ISecretHasher>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.GetTokenAsync(client)));
        await host.GetTokenAsync(client);

        Assert.That(hasher.Verifications, Is.EqualTo(1));
    }

    [Test]
    public async Task RequireVezaScope_needs_the_granted_scope_for_a_token_and_the_permission_for_a_key()
    {
        var client = await _host.CreateClientAsync(TeamA, role: "viewer");
        var withScope = await _host.GetTokenAsync(client, "users:read");
        var without = await _host.GetTokenAsync(client, "graph:read");
        var (_, viewerKey) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (_, pushKey) = await _host.CreateTeamKeyAsync(TeamA);
        var pushClient = await _host.CreateClientAsync(TeamA, role: "oaa_push", scopes: ["integrations:push"]);

        Assert.Multiple(async () =>
        {
            Assert.That((await _host.GetAsync("/api/users", withScope)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await _host.GetAsync("/api/users", without)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await _host.GetAsync("/api/users", viewerKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await _host.GetAsync("/api/users", pushKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "oaa_push holds users:read");
            Assert.That((await _host.GetAsync("/api/users", await _host.GetTokenAsync(pushClient))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden),
                "the role allows it, the token was not granted it");
        });
    }
}
