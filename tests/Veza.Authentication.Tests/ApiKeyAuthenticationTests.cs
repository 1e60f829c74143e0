using System.Net;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class ApiKeyAuthenticationTests
{
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task StartAsync() => _host = await VezaTestHost.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Personal_key_acts_as_its_owner_with_the_owners_roles_in_the_keys_team()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);

        var response = await _host.GetAsync("/api/me", key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var me = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(me.GetProperty("subject").GetString(), Is.EqualTo("user:" + OperatorA));
            Assert.That(me.GetProperty("principal_type").GetString(), Is.EqualTo("user"));
            Assert.That(me.GetProperty("team_id").GetString(), Is.EqualTo(TeamA));
            Assert.That(me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "operator" }));
            Assert.That(me.GetProperty("permissions").EnumerateArray().Select(r => r.GetString()),
                Is.EquivalentTo(new[] { "graph:read", "integrations:push", "users:read" }));
            Assert.That(me.GetProperty("method").GetString(), Is.EqualTo("personal_api_key"));
            Assert.That(me.GetProperty("credential_id").GetString(), Is.EqualTo(id));
        });
    }

    [Test]
    public async Task Team_key_acts_as_the_teams_service_account_with_only_the_team_key_role()
    {
        var (id, key) = await _host.CreateTeamKeyAsync(TeamA);

        var me = await JsonAsync(await _host.GetAsync("/api/me", key));

        Assert.Multiple(() =>
        {
            Assert.That(me.GetProperty("subject").GetString(), Is.EqualTo("team:" + TeamA));
            Assert.That(me.GetProperty("principal_type").GetString(), Is.EqualTo("service_account"));
            Assert.That(me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "oaa_push" }));
            Assert.That(me.GetProperty("method").GetString(), Is.EqualTo("team_api_key"));
            Assert.That(me.GetProperty("credential_id").GetString(), Is.EqualTo(id));
        });
    }

    [Test]
    public async Task Team_key_may_call_what_its_role_allows_and_gets_403_for_anything_else()
    {
        var (_, key) = await _host.CreateTeamKeyAsync(TeamA);

        var push = await _host.SendAsync(HttpMethod.Post, "/api/push", key);
        var graph = await _host.GetAsync("/api/graph", key);

        Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ErrorAssertions.AssertErrorAsync(graph, HttpStatusCode.Forbidden, 7);
        Assert.That(graph.Headers.WwwAuthenticate.ToString(), Does.Contain("insufficient_scope"));
    }

    [Test]
    public async Task Team_key_keeps_working_when_the_admin_who_created_it_is_removed()
    {
        var created = await _host.Keys.CreateAsync(new ApiKeys.ApiKeyDraft { Kind = Veza.Authentication.Stores.ApiKeyKind.Team, Name = "push", TeamId = TeamA },
            await _host.CallerAsync(AdminA, TeamA), CancellationToken.None);
        _host.Directory.RemoveUser(AdminA);
        await _host.Keys.UserRemovedAsync(AdminA, CancellationToken.None);

        var response = await _host.SendAsync(HttpMethod.Post, "/api/push", created.AccessKey);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("Bearer")]
    [TestCase("bearer")]
    [TestCase("BEARER")]
    public async Task Scheme_word_is_case_insensitive(string scheme)
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {key}");

        var response = await _host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Request_without_credentials_gets_a_bare_bearer_challenge()
    {
        var response = await _host.GetAsync("/api/me", null);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16, "CREDENTIALS_MISSING");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task Anonymous_endpoints_ignore_any_authorization_header()
    {
        foreach (var header in new[] { "Bearer veza_garbage", "Basic dXNlcjpwYXNz", "Bearer not-ours", "Bearer " + Veza.Authentication.ApiKeys.ApiKeyFormat.Generate() })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/anonymous");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            var response = await _host.Client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), header);
        }
    }

    [Test]
    public async Task Unknown_wrong_revoked_and_deleted_keys_all_get_the_same_answer()
    {
        var (revokedId, revoked) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (deletedId, deleted) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (liveId, live) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _host.RevokeAsync(revokedId);
        await _host.Keys.DeleteAsync(deletedId, VezaCaller.Host, CancellationToken.None);
        var wrongSecret = Veza.Authentication.ApiKeys.ApiKeyFormat.Generate("veza", liveId);
        var badChecksum = live[..^1] + (live[^1] == 'A' ? 'B' : 'A');

        var bodies = new List<string>();
        foreach (var key in new[] { Veza.Authentication.ApiKeys.ApiKeyFormat.Generate(), wrongSecret, revoked, deleted, badChecksum })
        {
            var response = await _host.GetAsync("/api/me", key);
            var json = await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16, "INVALID_TOKEN");
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer error=\"invalid_token\""));
            bodies.Add(json.GetProperty("message").GetString()!);
        }

        Assert.That(bodies.Distinct().Count(), Is.EqualTo(1));
    }
}
