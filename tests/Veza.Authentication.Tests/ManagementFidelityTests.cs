using System.Net;
using System.Text;
using System.Text.Json;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>What a client written for Veza's own key API relies on, and the input checks behind it.</summary>
[TestFixture]
public sealed class ManagementFidelityTests
{
    private VezaTestHost _host = null!;
    private string _rootAdmin = null!;
    private string _adminA = null!;
    private string _viewerA = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync(options: o =>
        {
            o.ApiKeys.MaxPersonalKeysPerUserAndTeam = 3;
            o.ApiKeys.MaxTeamKeysPerTeam = 200;
        });
        (_, _rootAdmin) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam, "root-admin-cli");
        (_, _adminA) = await _host.CreatePersonalKeyAsync(AdminA, TeamA, "admin-a-cli");
        (_, _viewerA) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "viewer-a-cli");
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task A_client_that_pages_while_has_more_is_true_reads_every_key()
    {
        for (var i = 0; i < 150; i++)
        {
            await _host.CreateTeamKeyAsync(TeamA, $"push-{i:D3}");
        }

        var seen = new List<string>();
        var token = string.Empty;
        bool hasMore;
        var pages = 0;
        do
        {
            var page = await JsonAsync(await _host.GetAsync($"/api/preview/teamkeys?page_token={Uri.EscapeDataString(token)}", _adminA));
            seen.AddRange(page.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("id").GetString()!));
            hasMore = page.GetProperty("has_more").GetBoolean();
            token = page.GetProperty("next_page_token").GetString()!;
            Assert.That(token.Length > 0, Is.EqualTo(hasMore));
            pages++;
        }
        while (hasMore);

        Assert.That(pages, Is.EqualTo(2), "100 per page by default");
        Assert.That(seen, Has.Count.EqualTo(150).And.Unique);
    }

    [TestCase("page_size=0", 100)]
    [TestCase("page_size=101", 100)]
    [TestCase("page_size=1000", 100)]
    [TestCase("page_size=7", 7)]
    public async Task Page_size_is_at_most_100_and_0_means_the_default(string query, int expected)
    {
        for (var i = 0; i < 120; i++)
        {
            await _host.CreateTeamKeyAsync(TeamA, $"push-{i:D3}");
        }

        var page = await JsonAsync(await _host.GetAsync($"/api/preview/teamkeys?{query}", _adminA));

        Assert.That(page.GetProperty("values").GetArrayLength(), Is.EqualTo(expected));
        Assert.That(page.GetProperty("has_more").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Delete_answers_the_deleted_key_as_value_with_status_inactive()
    {
        var (id, _) = await _host.CreateTeamKeyAsync(TeamA, "doomed");

        var response = await _host.SendAsync(HttpMethod.Delete, $"/api/preview/teamkeys/{id}", _adminA);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var value = (await JsonAsync(response)).GetProperty("value");
        Assert.That(value.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(value.GetProperty("name").GetString(), Is.EqualTo("doomed"));
        Assert.That(value.GetProperty("status").GetString(), Is.EqualTo("INACTIVE"));
        Assert.That(value.GetProperty("access_key").GetString(), Is.Empty);
    }

    [Test]
    public async Task A_team_admin_who_leaves_the_filter_out_gets_their_own_teams_keys_not_a_403()
    {
        await _host.CreateTeamKeyAsync(TeamA, "a-push");
        await _host.CreateTeamKeyAsync(TeamB, "b-push");

        var response = await _host.GetAsync("/api/preview/teamkeys", _adminA);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var teams = (await JsonAsync(response)).GetProperty("values").EnumerateArray().Select(v => v.GetProperty("team_id").GetString());
        Assert.That(teams, Is.EqualTo(new[] { TeamA }));
    }

    [Test]
    public async Task A_viewer_lists_their_own_personal_keys_of_their_team_without_a_filter()
    {
        await _host.CreatePersonalKeyAsync(OperatorA, TeamA, "someone-else");

        var response = await _host.GetAsync("/api/preview/keys", _viewerA);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var names = (await JsonAsync(response)).GetProperty("values").EnumerateArray().Select(v => v.GetProperty("name").GetString());
        Assert.That(names, Is.EqualTo(new[] { "viewer-a-cli" }));
    }

    [TestCase("PUT", "/api/preview/teamkeys", "GET, POST")]
    [TestCase("DELETE", "/api/preview/keys", "GET, POST")]
    [TestCase("POST", "/api/preview/keys/abcdefghijklmnop", "GET, PATCH, DELETE")]
    [TestCase("GET", "/api/preview/keys/abcdefghijklmnop:revoke", "POST")]
    public async Task A_wrong_method_answers_405_in_the_json_error_shape(string method, string path, string allow)
    {
        var response = await _host.SendAsync(new HttpMethod(method), path, _rootAdmin);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.MethodNotAllowed, 12);
        Assert.That(string.Join(", ", response.Content.Headers.Allow), Is.EqualTo(allow));
    }

    [TestCase("/api/preview/keys/abc/def")]
    [TestCase("/api/preview/teamkeys/x/y/z")]
    public async Task An_unknown_management_path_answers_404_in_the_json_error_shape(string path)
    {
        var response = await _host.GetAsync(path, _rootAdmin);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.NotFound, 5, "UNKNOWN_ROUTE");
    }

    [TestCase("text/plain; note=json")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("text/jsonish")]
    public async Task A_body_that_is_not_declared_as_json_gets_415(string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/preview/keys")
        {
            Content = new StringContent("{\"name\":\"x\"}", Encoding.UTF8),
        };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Authorization = new("Bearer", _viewerA);

        var response = await _host.Client.SendAsync(request);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, 3);
    }

    [TestCase("root-admin-cli\u200b")]
    [TestCase("\u202eilc-nimda")]
    [TestCase("two\u2028lines")]
    [TestCase("soft\u00adhyphen")]
    public async Task Names_with_invisible_or_format_characters_are_refused(string name)
    {
        var body = JsonSerializer.Serialize(new { name });
        var response = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, body);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.BadRequest, 3, "INVALID_NAME");
    }

    [Test]
    public void Names_that_are_not_well_formed_text_are_not_valid()
    {
        // Built in code: attribute arguments cannot carry a lone surrogate.
        string[] names = [new(['l', 'o', 'n', 'e', '\ud800', 'x']), new(['\udc00']), "tab\tinside", " padded"];

        Assert.That(names.Select(Veza.Authentication.ApiKeys.ApiKeyService.IsValidName), Is.All.False);
    }

    [Test]
    public async Task Names_are_normalized_before_the_uniqueness_check()
    {
        var composed = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, new { name = "caf\u00e9" });
        var decomposed = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, new { name = "cafe\u0301" });

        Assert.That(composed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ErrorAssertions.AssertErrorAsync(decomposed, HttpStatusCode.Conflict, 6);
    }

    [Test]
    public async Task Creating_past_the_personal_key_quota_answers_429_and_stores_nothing()
    {
        // The viewer already holds one key; the quota in this host is three.
        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, new { name = "two" })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, new { name = "three" })).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var fourth = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, new { name = "four" });

        await ErrorAssertions.AssertErrorAsync(fourth, HttpStatusCode.TooManyRequests, 8, "KEY_QUOTA_EXCEEDED");
        var held = await _host.Keys.ListAsync(new ApiKeyQuery { OwnerUserId = ViewerA, TeamId = TeamA }, VezaCaller.Host, CancellationToken.None);
        Assert.That(held.Items, Has.Count.EqualTo(3));
        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _adminA, new { name = "another-user" })).StatusCode,
            Is.EqualTo(HttpStatusCode.OK), "the quota is per user");
    }

    [Test]
    public async Task Concurrent_creates_never_exceed_the_quota()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, new { name = $"burst-{i}" })));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(2));
        var held = await _host.Keys.ListAsync(new ApiKeyQuery { OwnerUserId = ViewerA, TeamId = TeamA }, VezaCaller.Host, CancellationToken.None);
        Assert.That(held.Items, Has.Count.EqualTo(3));
    }
}
