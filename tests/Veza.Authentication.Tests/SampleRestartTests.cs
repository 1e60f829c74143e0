using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Veza.Authentication.Tests.Infrastructure;

namespace Veza.Authentication.Tests;

/// <summary>
/// The sample server on its default storage, a SQLite file: what users did survives a restart (keys, tokens signed
/// with keys protected by the Data Protection key ring kept in the same file), and the seed does not undo it.
/// </summary>
[TestFixture]
public sealed class SampleRestartTests
{
    private const string RootAdminKey = "veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS";
    private const string TeamKey = "veza_hmCtZptxwwLdbT2d_qxK9JAvaai5psX7XCghIbTUWR46YNfovo9N6zr4hung377rNd";
    private const string WorkerSecret = "sample-worker-secret-change-me-0123456789";
    private SampleDatabase _database = null!;

    [SetUp]
    public void CreateDatabase() => _database = new SampleDatabase();

    [TearDown]
    public void RemoveDatabase() => _database.Dispose();

    private WebApplicationFactory<Program> Start() => new WebApplicationFactory<Program>().WithWebHostBuilder(b => _database.Use(b).UseEnvironment("Development"));

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, string credential, string path = "/api/me")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RootAdminKey);
        return await client.SendAsync(request);
    }

    private static async Task<string> ClientTokenAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("engineering-worker:"u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(WorkerSecret)).ToArray()));
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    [Test]
    public async Task A_key_and_a_token_issued_before_a_restart_are_accepted_after_it()
    {
        string key, token;
        await using (var first = Start())
        {
            using var client = first.CreateClient();
            using var created = await SendAsync(client, HttpMethod.Post, "/api/preview/teamkeys", new { name = "before-restart", team_id = "engineering" });
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.OK), await created.Content.ReadAsStringAsync());
            using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            key = json.RootElement.GetProperty("value").GetProperty("access_key").GetString()!;
            token = await ClientTokenAsync(client);
            Assert.That((await CallAsync(client, key), await CallAsync(client, token)), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
        }

        await using var second = Start();
        using var after = second.CreateClient();

        Assert.That(await CallAsync(after, key), Is.EqualTo(HttpStatusCode.OK), "the key created before the restart");
        Assert.That(await CallAsync(after, token), Is.EqualTo(HttpStatusCode.OK), "the token signed before the restart");
    }

    [Test]
    public async Task A_restart_neither_duplicates_the_seed_nor_undoes_what_users_changed()
    {
        string seededTeamKeyId = TeamKey.Split('_')[1];
        await using (var first = Start())
        {
            using var client = first.CreateClient();
            using var revoked = await SendAsync(client, HttpMethod.Post, $"/api/preview/teamkeys/{seededTeamKeyId}:revoke");
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK), await revoked.Content.ReadAsStringAsync());
            using var off = await SendAsync(client, HttpMethod.Patch, "/api/preview/signinsettings", new { oauth2_authorization_server_enabled = false });
            Assert.That(off.IsSuccessStatusCode, $"{off.StatusCode} {await off.Content.ReadAsStringAsync()}");
        }

        await using var second = Start();
        using var after = second.CreateClient();
        using var keys = await SendAsync(after, HttpMethod.Get, "/api/preview/teamkeys");
        var listing = await keys.Content.ReadAsStringAsync();
        using var settings = await SendAsync(after, HttpMethod.Get, "/api/preview/signinsettings");

        Assert.That(await CallAsync(after, TeamKey), Is.EqualTo(HttpStatusCode.Unauthorized), "the seeded team key stays revoked");
        Assert.That(listing.Split("engineering-push").Length - 1, Is.EqualTo(1), listing);
        Assert.That(await settings.Content.ReadAsStringAsync(), Does.Contain("\"oauth2_authorization_server_enabled\":false"), "the switch stays off");
        Assert.That(await CallAsync(after, RootAdminKey), Is.EqualTo(HttpStatusCode.OK));
    }
}
