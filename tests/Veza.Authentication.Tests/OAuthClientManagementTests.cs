using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>OAuth2 clients and the sign-in settings over HTTP, with the conventions and authority rules of the key API.</summary>
[TestFixture]
public sealed class OAuthClientManagementTests
{
    private const string Clients = "/api/preview/oauth2clients";
    private const string Settings = "/api/preview/signinsettings";
    private VezaTestHost _host = null!;
    private string _rootAdmin = null!;
    private string _adminA = null!;
    private string _adminB = null!;
    private string _viewerA = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        (_, _rootAdmin) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam);
        (_, _adminA) = await _host.CreatePersonalKeyAsync(AdminA, TeamA);
        (_, _adminB) = await _host.CreatePersonalKeyAsync(AdminB, TeamB);
        (_, _viewerA) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> EnableAsync(string key, bool enabled = true)
        => _host.SendAsync(HttpMethod.Patch, Settings, key, new { oauth2_authorization_server_enabled = enabled });

    private async Task<JsonElement> CreateAsync(string key, object body)
    {
        var response = await _host.SendAsync(HttpMethod.Post, Clients, key, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.GetProperty("value").Clone();
    }

    [Test]
    public async Task A_client_for_a_team_that_does_not_exist_is_refused_as_team_keys_are()
    {
        await EnableAsync(_rootAdmin);

        var overHttp = await _host.SendAsync(HttpMethod.Post, Clients, _rootAdmin, new { name = "ghost", team_id = "no-such-team" });
        var direct = await _host.Clients.CreateAsync(new Veza.Authentication.OAuth2.OAuthClientDraft { Name = "ghost", TeamId = "no-such-team" },
            VezaCaller.Host, CancellationToken.None);

        await ErrorAssertions.AssertErrorAsync(overHttp, HttpStatusCode.BadRequest, 3, "UNKNOWN_TEAM");
        Assert.That(direct.Result, Is.EqualTo(Veza.Authentication.OAuth2.OAuthClientResult.UnknownTeam));
        Assert.That((await JsonAsync(await _host.GetAsync(Clients + "?team_id=no-such-team", _rootAdmin))).GetProperty("values").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Only_root_admins_read_and_change_the_sign_in_settings()
    {
        var initial = await JsonAsync(await _host.GetAsync(Settings, _rootAdmin));
        var byTeamAdmin = await EnableAsync(_adminA);
        var byViewer = await _host.GetAsync(Settings, _viewerA);
        var byRoot = await JsonAsync(await EnableAsync(_rootAdmin));

        Assert.Multiple(async () =>
        {
            Assert.That(initial.GetProperty("oauth2_authorization_server_enabled").GetBoolean(), Is.False, "off by default");
            await ErrorAssertions.AssertErrorAsync(byTeamAdmin, HttpStatusCode.Forbidden, 7);
            await ErrorAssertions.AssertErrorAsync(byViewer, HttpStatusCode.Forbidden, 7);
            Assert.That(byRoot.GetProperty("oauth2_authorization_server_enabled").GetBoolean(), Is.True);
            Assert.That(byRoot.GetProperty("updated_by").GetString(), Is.EqualTo("user:" + RootAdmin));
        });
    }

    [Test]
    public async Task Clients_cannot_be_created_while_the_server_is_off()
    {
        var response = await _host.SendAsync(HttpMethod.Post, Clients, _rootAdmin, new { name = "early", team_id = TeamA });

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.BadRequest, 9, "OAUTH2_SERVER_DISABLED");
    }

    [Test]
    public async Task A_created_client_shows_its_secret_once_and_gets_tokens()
    {
        await EnableAsync(_rootAdmin);
        var created = await CreateAsync(_adminA, new { name = "pipeline", role = "admin", scopes = new[] { "graph:read" }, access_token_lifetime_seconds = 600 });
        var id = created.GetProperty("client_id").GetString()!;
        var secret = created.GetProperty("client_secret").GetString()!;

        var fetched = await JsonAsync(await _host.GetAsync($"{Clients}/{id}", _adminA));
        var token = await _host.GetTokenAsync((id, secret));

        Assert.Multiple(async () =>
        {
            Assert.That(secret, Does.StartWith("vezacs_"));
            Assert.That(created.GetProperty("team_id").GetString(), Is.EqualTo(TeamA), "the caller's team by default");
            Assert.That(created.GetProperty("status").GetString(), Is.EqualTo("ACTIVE"));
            Assert.That(created.GetProperty("access_token_lifetime_seconds").GetInt64(), Is.EqualTo(600));
            Assert.That(fetched.GetProperty("value").GetProperty("client_secret").GetString(), Is.Empty, "shown once");
            Assert.That(fetched.GetProperty("value").GetProperty("secrets").GetArrayLength(), Is.EqualTo(1));
            Assert.That((await _host.GetAsync("/api/graph", token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(created.GetProperty("last_used_at").GetString(), Is.Empty);
            var used = await JsonAsync(await _host.GetAsync($"{Clients}/{id}", _adminA));
            Assert.That(used.GetProperty("value").GetProperty("last_used_at").GetString(), Is.Not.Empty, "the token request is a use");
        });
    }

    [Test]
    public async Task A_team_admin_grants_only_roles_they_hold_and_manages_only_their_team()
    {
        await EnableAsync(_rootAdmin);
        var operatorRole = await _host.SendAsync(HttpMethod.Post, Clients, _adminA, new { name = "too-much", role = "operator" });
        var otherTeam = await _host.SendAsync(HttpMethod.Post, Clients, _adminA, new { name = "elsewhere", team_id = TeamB, role = "admin" });
        var byRoot = await CreateAsync(_rootAdmin, new { name = "root-made", team_id = TeamB, role = "operator", scopes = new[] { "graph:read" } });
        var mine = await CreateAsync(_adminA, new { name = "mine", role = "admin", scopes = new[] { "users:read" } });

        var listA = await JsonAsync(await _host.GetAsync(Clients, _adminA));
        var listRoot = await JsonAsync(await _host.GetAsync(Clients, _rootAdmin));
        var peek = await _host.GetAsync($"{Clients}/{byRoot.GetProperty("client_id").GetString()}", _adminA);
        var revokeOther = await _host.SendAsync(HttpMethod.Post, $"{Clients}/{byRoot.GetProperty("client_id").GetString()}:revoke", _adminA);
        var listOtherTeam = await _host.GetAsync(Clients + "?team_id=" + TeamB, _adminA);

        Assert.Multiple(async () =>
        {
            await ErrorAssertions.AssertErrorAsync(operatorRole, HttpStatusCode.Forbidden, 7);
            await ErrorAssertions.AssertErrorAsync(otherTeam, HttpStatusCode.Forbidden, 7);
            Assert.That(listA.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("client_id").GetString()),
                Is.EqualTo(new[] { mine.GetProperty("client_id").GetString() }));
            Assert.That(listRoot.GetProperty("values").GetArrayLength(), Is.EqualTo(2));
            await ErrorAssertions.AssertErrorAsync(peek, HttpStatusCode.NotFound, 5);
            await ErrorAssertions.AssertErrorAsync(revokeOther, HttpStatusCode.NotFound, 5);
            await ErrorAssertions.AssertErrorAsync(listOtherTeam, HttpStatusCode.Forbidden, 7);
        });
    }

    [Test]
    public async Task Members_service_accounts_and_clients_manage_no_clients()
    {
        await EnableAsync(_rootAdmin);
        var (_, teamKey) = await _host.CreateTeamKeyAsync(RootTeam);
        var client = await _host.CreateClientAsync(RootTeam, role: "admin");
        var token = await _host.GetTokenAsync(client);

        var byViewer = await _host.SendAsync(HttpMethod.Post, Clients, _viewerA, new { name = "nope", role = "viewer" });
        var byTeamKey = await _host.GetAsync(Clients, teamKey);
        var byClient = await _host.GetAsync(Clients, token);
        var settingsByClient = await EnableAsync(token, false);

        await ErrorAssertions.AssertErrorAsync(byViewer, HttpStatusCode.Forbidden, 7);
        await ErrorAssertions.AssertErrorAsync(byTeamKey, HttpStatusCode.Forbidden, 7);
        await ErrorAssertions.AssertErrorAsync(byClient, HttpStatusCode.Forbidden, 7);
        await ErrorAssertions.AssertErrorAsync(settingsByClient, HttpStatusCode.Forbidden, 7);
    }

    [Test]
    public async Task Secrets_rotate_over_http_and_a_revoke_ends_the_tokens()
    {
        await EnableAsync(_rootAdmin);
        var created = await CreateAsync(_adminA, new { name = "rotating", role = "admin" });
        var id = created.GetProperty("client_id").GetString()!;
        var first = (id, created.GetProperty("client_secret").GetString()!);
        var firstSecretId = created.GetProperty("secrets")[0].GetProperty("id").GetString()!;

        var added = await JsonAsync(await _host.SendAsync(HttpMethod.Post, $"{Clients}/{id}/secrets", _adminA, new { }));
        var third = await _host.SendAsync(HttpMethod.Post, $"{Clients}/{id}/secrets", _adminA, new { });
        var second = (id, added.GetProperty("client_secret").GetString()!);
        var removed = await _host.SendAsync(HttpMethod.Delete, $"{Clients}/{id}/secrets/{firstSecretId}", _adminA);
        var oldSecret = await _host.PostFormAsync("/oauth2/token", [new("grant_type", "client_credentials")], first);
        var token = await _host.GetTokenAsync(second);
        var revoked = await _host.SendAsync(HttpMethod.Post, $"{Clients}/{id}:revoke", _adminA);

        Assert.Multiple(async () =>
        {
            await ErrorAssertions.AssertErrorAsync(third, (HttpStatusCode)429, 8, "CLIENT_QUOTA_EXCEEDED");
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(oldSecret.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await JsonAsync(revoked)).GetProperty("value").GetProperty("status").GetString(), Is.EqualTo("INACTIVE"));
            Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Bad_requests_get_the_json_error_shape()
    {
        await EnableAsync(_rootAdmin);

        var malformed = await _host.SendAsync(HttpMethod.Post, Clients, _adminA, "{\"name\": ");
        var text = new HttpRequestMessage(HttpMethod.Post, Clients) { Content = new StringContent("name=x") };
        text.Headers.Authorization = new("Bearer", _adminA);
        var wrongType = await _host.Client.SendAsync(text);
        var badScope = await _host.SendAsync(HttpMethod.Post, Clients, _adminA, new { name = "bad-scope", role = "admin", scopes = new[] { "reviews:manage" } });
        var badLifetime = await _host.SendAsync(HttpMethod.Post, Clients, _adminA, new { name = "long", role = "admin", access_token_lifetime_seconds = 86400 });
        var unknown = await _host.GetAsync(Clients + "/x/y/z", _adminA);
        var wrongMethod = await _host.SendAsync(HttpMethod.Put, Clients, _adminA, new { });

        await ErrorAssertions.AssertErrorAsync(malformed, HttpStatusCode.BadRequest, 3, "MALFORMED_JSON");
        await ErrorAssertions.AssertErrorAsync(wrongType, HttpStatusCode.UnsupportedMediaType, 3);
        await ErrorAssertions.AssertErrorAsync(badScope, HttpStatusCode.BadRequest, 3);
        await ErrorAssertions.AssertErrorAsync(badLifetime, HttpStatusCode.BadRequest, 3);
        await ErrorAssertions.AssertErrorAsync(unknown, HttpStatusCode.NotFound, 5);
        await ErrorAssertions.AssertErrorAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, 12);
    }

    [Test]
    public async Task A_host_endpoint_applies_the_same_rules_with_resource_based_authorization()
    {
        await using var host = await VezaTestHost.StartAsync(endpoints: app => app.MapGet("/host/keys/{id}", async (string id, HttpContext c,
            Microsoft.AspNetCore.Authorization.IAuthorizationService authorization) =>
        {
            var key = await c.RequestServices.GetRequiredService<Veza.Authentication.ApiKeys.ApiKeyService>().FindAsync(id, VezaCaller.Host, c.RequestAborted);
            var allowed = key is not null && (await authorization.AuthorizeAsync(c.User, key, [Veza.Authentication.Management.VezaManageRequirement.Instance])).Succeeded;
            return allowed ? Results.Ok(key!.Name) : Results.NotFound();
        }).RequireAuthorization());
        var (teamKeyId, _) = await host.CreateTeamKeyAsync(TeamA, "team-a-push");
        var (_, adminA) = await host.CreatePersonalKeyAsync(AdminA, TeamA);
        var (_, adminB) = await host.CreatePersonalKeyAsync(AdminB, TeamB);
        var (_, viewerA) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);

        Assert.Multiple(async () =>
        {
            Assert.That((await host.GetAsync($"/host/keys/{teamKeyId}", adminA)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await host.GetAsync($"/host/keys/{teamKeyId}", adminB)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await host.GetAsync($"/host/keys/{teamKeyId}", viewerA)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }
}
