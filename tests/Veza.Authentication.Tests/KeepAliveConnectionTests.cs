using System.Net;
using System.Text.Json;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A client that keeps one connection open and sends its key on every request, through Kestrel on 127.0.0.1.
/// Kestrel hands out the same string for a header value that repeats on a connection, and the library reads a
/// key once per such string; every change to the key, its owner or the secret sent must still count at once.
/// </summary>
[TestFixture]
public sealed class KeepAliveConnectionTests
{
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync() => _host = await VezaTestHost.StartAsync(kestrel: true);

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Requests_with_one_key_travel_on_one_connection_that_reuses_the_header_string()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);

        var first = await ConnectionAsync(key);
        var second = await ConnectionAsync(key);

        Assert.That(second.Id, Is.EqualTo(first.Id), "one keep-alive connection");
        Assert.That(second.Header, Is.EqualTo(first.Header), "the same header string instance");
    }

    [Test]
    public async Task A_revoked_key_is_refused_on_the_next_request_of_the_same_connection()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await _host.RevokeAsync(id);
        var revoked = await _host.GetAsync("/api/me", key);

        await _host.ReinstateAsync(id);
        var reinstated = await _host.GetAsync("/api/me", key);

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(reinstated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_deleted_key_is_refused_on_the_next_request_of_the_same_connection()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await _host.Keys.DeleteAsync(id, VezaCaller.Host, CancellationToken.None);

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_deactivated_owner_is_refused_on_the_next_request_of_the_same_connection()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        _host.Directory.SetActive(ViewerA, false);

        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Switching_keys_on_one_connection_authenticates_each_request_as_its_own_key()
    {
        var (viewerKeyId, viewerKey) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (teamKeyId, teamKey) = await _host.CreateTeamKeyAsync(TeamB);
        var wrongSecret = ApiKeyFormat.Generate("veza", viewerKeyId);

        var seen = new List<string?>();
        foreach (var key in new[] { viewerKey, teamKey, viewerKey, wrongSecret, teamKey, viewerKey })
        {
            var response = await _host.GetAsync("/api/me", key);
            seen.Add(response.StatusCode == HttpStatusCode.OK
                ? (await JsonAsync(response)).GetProperty("credential_id").GetString()
                : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.That(seen, Is.EqualTo(new[] { viewerKeyId, teamKeyId, viewerKeyId, "401", teamKeyId, viewerKeyId }));
    }

    [Test]
    public async Task A_wrong_secret_sent_repeatedly_on_one_connection_is_refused_every_time()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var wrong = ApiKeyFormat.Generate("veza", id);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await _host.GetAsync("/api/me", wrong)).StatusCode);
        }

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Unauthorized));
    }

    private async Task<(string Id, int Header)> ConnectionAsync(string key)
    {
        var json = await JsonAsync(await _host.GetAsync("/connection", key));
        return (json.GetProperty("id").GetString()!, json.GetProperty("header").GetInt32());
    }
}
