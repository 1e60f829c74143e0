using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class ManagementEndpointTests
{
    private VezaTestHost _host = null!;
    private string _rootAdmin = null!;
    private string _adminA = null!;
    private string _viewerA = null!;
    private string _adminB = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        (_, _rootAdmin) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam, "root-admin-cli");
        (_, _adminA) = await _host.CreatePersonalKeyAsync(AdminA, TeamA, "admin-a-cli");
        (_, _viewerA) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA, "viewer-a-cli");
        (_, _adminB) = await _host.CreatePersonalKeyAsync(AdminB, TeamB, "admin-b-cli");
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> CreateAsync(string caller, string path, string name, string? teamId)
    {
        var response = await _host.SendAsync(HttpMethod.Post, path, caller, teamId is null ? new { name } : new { name, team_id = teamId });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response)).GetProperty("value");
    }

    private async Task<List<JsonElement>> ListAsync(string caller, string path)
    {
        var response = await _host.GetAsync(path, caller);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response)).GetProperty("values").EnumerateArray().ToList();
    }

    [Test]
    public async Task Created_team_key_is_returned_once_with_its_key_object_and_works()
    {
        var key = await CreateAsync(_adminA, "/api/preview/teamkeys", "push", TeamA);

        Assert.Multiple(() =>
        {
            Assert.That(key.GetProperty("id").GetString(), Has.Length.EqualTo(16));
            Assert.That(key.GetProperty("access_key").GetString(), Does.StartWith("veza_"));
            Assert.That(key.GetProperty("name").GetString(), Is.EqualTo("push"));
            Assert.That(key.GetProperty("team_id").GetString(), Is.EqualTo(TeamA));
            Assert.That(key.GetProperty("team_name").GetString(), Is.EqualTo("Team A"));
            Assert.That(key.GetProperty("status").GetString(), Is.EqualTo("ACTIVE"));
            Assert.That(key.GetProperty("created_at").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
            Assert.That(key.GetProperty("last_access_at").GetString(), Is.EqualTo(key.GetProperty("created_at").GetString()));
        });

        var accessKey = key.GetProperty("access_key").GetString()!;
        Assert.That((await _host.SendAsync(HttpMethod.Post, "/api/push", accessKey)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var fetched = (await JsonAsync(await _host.GetAsync($"/api/preview/teamkeys/{key.GetProperty("id").GetString()}", _adminA))).GetProperty("value");
        Assert.That(fetched.GetProperty("access_key").GetString(), Is.Empty);
    }

    [Test]
    public async Task Lists_never_contain_a_secret()
    {
        var created = await CreateAsync(_adminA, "/api/preview/teamkeys", "push", TeamA);
        var secretPart = created.GetProperty("access_key").GetString()![22..];

        var teamList = await _host.GetAsync("/api/preview/teamkeys", _rootAdmin);
        var personalList = await _host.GetAsync("/api/preview/keys", _rootAdmin);
        var text = await teamList.Content.ReadAsStringAsync() + await personalList.Content.ReadAsStringAsync();

        Assert.That(text, Does.Not.Contain(secretPart));
        Assert.That(text, Does.Not.Contain("argon2"));
        Assert.That((await JsonAsync(teamList)).GetProperty("values").EnumerateArray().Select(v => v.GetProperty("access_key").GetString()), Is.All.Empty);
    }

    [Test]
    public async Task Revoke_and_reinstate_answer_empty_objects_and_change_the_status()
    {
        var id = (await CreateAsync(_adminA, "/api/preview/teamkeys", "push", TeamA)).GetProperty("id").GetString();

        var revoke = await _host.SendAsync(HttpMethod.Post, $"/api/preview/teamkeys/{id}:revoke", _adminA);
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await revoke.Content.ReadAsStringAsync(), Is.EqualTo("{}"));
        var status = (await JsonAsync(await _host.GetAsync($"/api/preview/teamkeys/{id}", _adminA))).GetProperty("value").GetProperty("status").GetString();
        Assert.That(status, Is.EqualTo("INACTIVE"));

        var reinstate = await _host.SendAsync(HttpMethod.Post, $"/api/preview/teamkeys/{id}:reinstate", _adminA);
        Assert.That(await reinstate.Content.ReadAsStringAsync(), Is.EqualTo("{}"));
        status = (await JsonAsync(await _host.GetAsync($"/api/preview/teamkeys/{id}", _adminA))).GetProperty("value").GetProperty("status").GetString();
        Assert.That(status, Is.EqualTo("ACTIVE"));
    }

    [Test]
    public async Task Rename_answers_the_key_as_value()
    {
        var id = (await CreateAsync(_adminA, "/api/preview/teamkeys", "push", TeamA)).GetProperty("id").GetString();

        var response = await _host.SendAsync(HttpMethod.Patch, $"/api/preview/teamkeys/{id}", _adminA, new { name = "renamed" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var value = (await JsonAsync(response)).GetProperty("value");
        Assert.That(value.GetProperty("name").GetString(), Is.EqualTo("renamed"));
        Assert.That(value.GetProperty("access_key").GetString(), Is.Empty);
    }

    [Test]
    public async Task Deleted_key_answers_404_to_every_later_call()
    {
        var id = (await CreateAsync(_adminA, "/api/preview/teamkeys", "push", TeamA)).GetProperty("id").GetString();
        var delete = await _host.SendAsync(HttpMethod.Delete, $"/api/preview/teamkeys/{id}", _adminA);
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Delete, $"/api/preview/teamkeys/{id}"),
            (HttpMethod.Post, $"/api/preview/teamkeys/{id}:revoke"),
            (HttpMethod.Post, $"/api/preview/teamkeys/{id}:reinstate"),
            (HttpMethod.Get, $"/api/preview/teamkeys/{id}"),
        })
        {
            await ErrorAssertions.AssertErrorAsync(await _host.SendAsync(method, path, _adminA), HttpStatusCode.NotFound, 5);
        }

        await ErrorAssertions.AssertErrorAsync(
            await _host.SendAsync(HttpMethod.Patch, $"/api/preview/teamkeys/{id}", _adminA, new { name = "x" }), HttpStatusCode.NotFound, 5);
    }

    [Test]
    public async Task Users_create_and_see_only_their_own_personal_keys()
    {
        var mine = await CreateAsync(_viewerA, "/api/preview/keys", "my-script", null);
        Assert.That(mine.GetProperty("user_id").GetString(), Is.EqualTo(ViewerA));
        Assert.That(mine.GetProperty("team_id").GetString(), Is.EqualTo(TeamA), "defaults to the caller's team");

        var visible = await ListAsync(_viewerA, "/api/preview/keys");

        Assert.That(visible.Select(k => k.GetProperty("user_id").GetString()), Is.All.EqualTo(ViewerA));
        Assert.That(visible.Select(k => k.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "viewer-a-cli", "my-script" }));
    }

    [Test]
    public async Task User_cannot_see_or_change_another_users_personal_key()
    {
        var adminsKey = (await JsonAsync(await _host.GetAsync("/api/preview/keys", _adminA))).GetProperty("values")
            .EnumerateArray().First(k => k.GetProperty("user_id").GetString() == AdminA).GetProperty("id").GetString();

        await ErrorAssertions.AssertErrorAsync(await _host.SendAsync(HttpMethod.Post, $"/api/preview/keys/{adminsKey}:revoke", _viewerA), HttpStatusCode.NotFound, 5);
        await ErrorAssertions.AssertErrorAsync(await _host.SendAsync(HttpMethod.Delete, $"/api/preview/keys/{adminsKey}", _viewerA), HttpStatusCode.NotFound, 5);
        await ErrorAssertions.AssertErrorAsync(await _host.GetAsync($"/api/preview/keys?filter=user_id eq \"{AdminA}\"", _viewerA), HttpStatusCode.Forbidden, 7);

        var stored = await _host.Keys.FindAsync(adminsKey!, VezaCaller.Host, CancellationToken.None);
        Assert.That(stored!.Status, Is.EqualTo(ApiKeyStatus.Active));
    }

    [Test]
    public async Task Team_admin_sees_and_manages_their_teams_keys_only()
    {
        await CreateAsync(_adminA, "/api/preview/teamkeys", "a-push", TeamA);
        var bKey = await CreateAsync(_adminB, "/api/preview/teamkeys", "b-push", TeamB);

        var teamKeys = await ListAsync(_adminA, "/api/preview/teamkeys");
        var personalKeys = await ListAsync(_adminA, "/api/preview/keys");

        Assert.That(teamKeys.Select(k => k.GetProperty("team_id").GetString()), Is.All.EqualTo(TeamA));
        Assert.That(personalKeys.Select(k => k.GetProperty("user_id").GetString()), Is.EquivalentTo(new[] { AdminA, ViewerA }));

        var bId = bKey.GetProperty("id").GetString();
        await ErrorAssertions.AssertErrorAsync(await _host.SendAsync(HttpMethod.Post, $"/api/preview/teamkeys/{bId}:revoke", _adminA), HttpStatusCode.NotFound, 5);
        await ErrorAssertions.AssertErrorAsync(await _host.GetAsync($"/api/preview/teamkeys?filter=team_id eq \"{TeamB}\"", _adminA), HttpStatusCode.Forbidden, 7);
        await ErrorAssertions.AssertErrorAsync(
            await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _adminA, new { name = "sneaky", team_id = TeamB }), HttpStatusCode.Forbidden, 7);
        Assert.That((await _host.Keys.FindAsync(bId!, VezaCaller.Host, CancellationToken.None))!.Status, Is.EqualTo(ApiKeyStatus.Active));
    }

    [Test]
    public async Task Root_admin_sees_and_manages_everything()
    {
        await CreateAsync(_adminA, "/api/preview/teamkeys", "a-push", TeamA);
        var bKey = await CreateAsync(_rootAdmin, "/api/preview/teamkeys", "b-push", TeamB);

        var teamKeys = await ListAsync(_rootAdmin, "/api/preview/teamkeys");
        var personalKeys = await ListAsync(_rootAdmin, "/api/preview/keys");
        var onlyB = await ListAsync(_rootAdmin, $"/api/preview/teamkeys?filter=team_id eq \"{TeamB}\"");

        Assert.That(teamKeys.Select(k => k.GetProperty("team_id").GetString()), Is.EquivalentTo(new[] { TeamA, TeamB }));
        Assert.That(personalKeys, Has.Count.EqualTo(4));
        Assert.That(onlyB.Select(k => k.GetProperty("name").GetString()), Is.EqualTo(new[] { "b-push" }));
        var revoke = await _host.SendAsync(HttpMethod.Post, $"/api/preview/teamkeys/{bKey.GetProperty("id").GetString()}:revoke", _rootAdmin);
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Non_admins_cannot_create_or_list_team_keys()
    {
        await ErrorAssertions.AssertErrorAsync(
            await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _viewerA, new { name = "x", team_id = TeamA }), HttpStatusCode.Forbidden, 7);
        await ErrorAssertions.AssertErrorAsync(await _host.GetAsync("/api/preview/teamkeys", _viewerA), HttpStatusCode.Forbidden, 7);
    }

    [Test]
    public async Task Team_service_accounts_cannot_manage_keys()
    {
        var (_, teamKey) = await _host.CreateTeamKeyAsync(TeamA);

        await ErrorAssertions.AssertErrorAsync(await _host.GetAsync("/api/preview/teamkeys", teamKey), HttpStatusCode.Forbidden, 7);
        await ErrorAssertions.AssertErrorAsync(
            await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", teamKey, new { name = "x" }), HttpStatusCode.Forbidden, 7);
    }

    [Test]
    public async Task Personal_key_for_a_team_the_user_is_not_in_is_refused()
    {
        var response = await _host.SendAsync(HttpMethod.Post, "/api/preview/keys", _viewerA, new { name = "x", team_id = TeamB });

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Forbidden, 7);
    }

    [Test]
    public async Task Duplicate_names_get_409_and_leave_the_store_unchanged()
    {
        await CreateAsync(_adminA, "/api/preview/teamkeys", "push", TeamA);
        var other = await CreateAsync(_adminA, "/api/preview/teamkeys", "other", TeamA);

        await ErrorAssertions.AssertErrorAsync(
            await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _adminA, new { name = "PUSH", team_id = TeamA }), HttpStatusCode.Conflict, 6);
        await ErrorAssertions.AssertErrorAsync(
            await _host.SendAsync(HttpMethod.Patch, $"/api/preview/teamkeys/{other.GetProperty("id").GetString()}", _adminA, new { name = "push" }),
            HttpStatusCode.Conflict, 6);

        var names = (await ListAsync(_adminA, "/api/preview/teamkeys")).Select(k => k.GetProperty("name").GetString());
        Assert.That(names, Is.EquivalentTo(new[] { "push", "other" }));
        var sameNameOtherTeam = await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _adminB, new { name = "push", team_id = TeamB });
        Assert.That(sameNameOtherTeam.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("{")]
    [TestCase("[]")]
    [TestCase("null")]
    [TestCase("\"name\"")]
    [TestCase("{\"name\": 5}")]
    [TestCase("{\"name\": \"\"}")]
    [TestCase("{\"name\": \"   \"}")]
    [TestCase("{\"name\": \"tab\\tname\"}")]
    [TestCase("")]
    public async Task Malformed_create_bodies_get_400_and_store_nothing(string body)
    {
        var before = (await ListAsync(_rootAdmin, "/api/preview/teamkeys")).Count;

        var response = await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _adminA, body);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.BadRequest, 3);
        Assert.That((await ListAsync(_rootAdmin, "/api/preview/teamkeys")).Count, Is.EqualTo(before));
    }

    [Test]
    public async Task Oversized_body_gets_413()
    {
        var response = await _host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", _adminA, $"{{\"name\": \"{new string('a', 20_000)}\"}}");

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, 3);
    }

    [Test]
    public async Task Non_json_body_gets_415()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/preview/teamkeys")
        {
            Content = new StringContent("name=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new("Bearer", _adminA);

        await ErrorAssertions.AssertErrorAsync(await _host.Client.SendAsync(request), HttpStatusCode.UnsupportedMediaType, 3);
    }

    [TestCase("team_id = \"x\"")]
    [TestCase("team_id eq")]
    [TestCase("colour eq \"red\"")]
    [TestCase("status eq \"DELETED\"")]
    [TestCase("team_id eq \"a\" or name eq \"b\"")]
    [TestCase("team_id eq \"unterminated")]
    public async Task Bad_filters_get_400(string filter)
    {
        var response = await _host.GetAsync($"/api/preview/teamkeys?filter={Uri.EscapeDataString(filter)}", _rootAdmin);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.BadRequest, 3, "INVALID_FILTER");
    }

    [TestCase("page_size=-1")]
    [TestCase("page_size=ten")]
    [TestCase("page_token=garbage!")]
    [TestCase("page_token=djE6eHl6")]
    public async Task Bad_paging_gets_400(string query)
    {
        var response = await _host.GetAsync($"/api/preview/teamkeys?{query}", _rootAdmin);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.BadRequest, 3);
    }

    [Test]
    public async Task Pages_follow_next_page_token_until_it_is_empty()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(_adminA, "/api/preview/teamkeys", $"push-{i}", TeamA);
        }

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await JsonAsync(await _host.GetAsync($"/api/preview/teamkeys?page_size=2&page_token={token}", _adminA));
            seen.AddRange(page.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("name").GetString()!));
            token = page.GetProperty("next_page_token").GetString()!;
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        Assert.That(pages, Is.EqualTo(3));
        Assert.That(seen, Is.EquivalentTo(Enumerable.Range(0, 5).Select(i => $"push-{i}")));
    }

    [Test]
    public async Task Filters_combine_with_and()
    {
        var a = await CreateAsync(_adminA, "/api/preview/teamkeys", "one", TeamA);
        await CreateAsync(_adminA, "/api/preview/teamkeys", "two", TeamA);
        await _host.SendAsync(HttpMethod.Post, $"/api/preview/teamkeys/{a.GetProperty("id").GetString()}:revoke", _adminA);

        var inactive = await ListAsync(_rootAdmin, $"/api/preview/teamkeys?filter={Uri.EscapeDataString($"team_id eq \"{TeamA}\" and status eq \"INACTIVE\"")}");

        Assert.That(inactive.Select(k => k.GetProperty("name").GetString()), Is.EqualTo(new[] { "one" }));
    }

    [Test]
    public async Task Unauthenticated_management_calls_get_401()
    {
        var response = await _host.GetAsync("/api/preview/teamkeys", null);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16);
    }

    [Test]
    public async Task Store_failure_during_management_gets_503_without_details()
    {
        await using var host = await FailClosedTests.StartWithSwitchableStoreAsync();
        var (_, admin) = await host.CreatePersonalKeyAsync(AdminA, TeamA);
        await host.GetAsync("/api/me", admin);
        var store = (SwitchableApiKeyStore)host.Services.GetRequiredService<IApiKeyStore>();
        store.FailWrites = true;

        var response = await host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", admin, new { name = "x", team_id = TeamA });

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, 14);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("database is down"));
    }

    [Test]
    public async Task A_failure_that_is_not_a_stores_is_a_500_without_details()
    {
        await using var host = await VezaTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IVezaAuditSink, ThrowingAuditSink>()));
        var (_, admin) = await host.CreatePersonalKeyAsync(AdminA, TeamA);

        var response = await host.SendAsync(HttpMethod.Post, "/api/preview/teamkeys", admin, new { name = "x", team_id = TeamA });

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.InternalServerError, 13);
        Assert.That(response.Headers.RetryAfter, Is.Null);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("audit sink bug"));
    }

    private sealed class ThrowingAuditSink : IVezaAuditSink
    {
        public ValueTask WriteAsync(VezaAuditEvent auditEvent, CancellationToken cancellationToken)
            => auditEvent.Action == VezaAuditEvent.ApiCallAction || auditEvent.Method is null
                ? ValueTask.CompletedTask
                : throw new InvalidOperationException("audit sink bug (test)");
    }
}
