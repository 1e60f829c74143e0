using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Veza.Authentication.Tests.Infrastructure;

namespace Veza.Authentication.Tests;

/// <summary>The sample server as the README describes it: seeded from appsettings.Development.json.</summary>
[TestFixture]
public sealed class SampleServerTests
{
    private const string RootAdminKey = "veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS";
    private const string TeamKey = "veza_hmCtZptxwwLdbT2d_qxK9JAvaai5psX7XCghIbTUWR46YNfovo9N6zr4hung377rNd";
    private readonly SampleDatabase _database = new();
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => _database.Use(b).UseEnvironment("Development"));
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private Task<HttpResponseMessage> GetAsync(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return _client.SendAsync(request);
    }

    [Test]
    public async Task Health_is_anonymous()
        => Assert.That((await GetAsync("/health", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

    [Test]
    public async Task Me_describes_a_seeded_personal_key()
    {
        var response = await GetAsync("/api/me", RootAdminKey);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(me.GetProperty("subject").GetString(), Is.EqualTo("user:root-admin"));
            Assert.That(me.GetProperty("principal_type").GetString(), Is.EqualTo("user"));
            Assert.That(me.GetProperty("team_id").GetString(), Is.EqualTo("root"));
            Assert.That(me.GetProperty("roles")[0].GetString(), Is.EqualTo("admin"));
            Assert.That(me.GetProperty("authentication_method").GetString(), Is.EqualTo("personal_api_key"));
        });
    }

    [Test]
    public async Task Seeded_team_key_may_push_but_not_read_the_graph()
    {
        var push = new HttpRequestMessage(HttpMethod.Post, "/api/integrations/push");
        push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TeamKey);

        Assert.That((await _client.SendAsync(push)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await GetAsync("/api/graph", TeamKey)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Ping_answers_anyone_and_api_ping_the_same_body_only_with_a_key()
    {
        var open = await GetAsync("/ping", null);
        var keyed = await GetAsync("/api/ping", RootAdminKey);
        var refused = await GetAsync("/api/ping", null);

        Assert.That(open.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(keyed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await keyed.Content.ReadAsStringAsync(), Is.EqualTo(await open.Content.ReadAsStringAsync()));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Me_without_a_key_is_401()
        => Assert.That((await GetAsync("/api/me", null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

    [Test]
    public async Task The_seeded_client_gets_a_token_the_api_accepts()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", "graph:read")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String("engineering-worker:sample-worker-secret-change-me-0123456789"u8.ToArray()));
        var tokenResponse = await _client.SendAsync(request);
        var body = await tokenResponse.Content.ReadAsStringAsync();
        Assert.That(tokenResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString();

        var me = JsonDocument.Parse(await (await GetAsync("/api/me", token)).Content.ReadAsStringAsync()).RootElement;

        Assert.That(me.GetProperty("subject").GetString(), Is.EqualTo("client:engineering-worker"));
        Assert.That(me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "graph:read" }));
    }
}
