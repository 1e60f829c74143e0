using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// A principal narrowed by scopes (an app's or a client's token) holds a role only when its scopes cover everything the
/// role allows, so a host endpoint with <c>RequireRole</c> or <c>IsInRole</c> never treats a third-party app with
/// <c>graph:read</c> as an administrator.
/// </summary>
[TestFixture]
public sealed class ScopedRoleTests
{
    private VezaTestHost _host = null!;

    [SetUp]
    public async Task SetUp()
    {
        _host = await StartAsync(endpoints: app =>
        {
            app.MapGet("/admin-only", () => "admin").RequireAuthorization(p => p.RequireRole("admin"));
            app.MapGet("/is-operator", (HttpContext c) => c.User.IsInRole("operator") ? "yes" : "no").RequireAuthorization();
        });
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    [Test]
    public async Task An_app_acting_for_a_root_administrator_with_graph_read_is_not_an_administrator()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, RootAdmin);
        var (token, _, _) = await flow.SignInAsync(app, p => p["scope"] = "graph:read");
        var (_, key) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam);

        var me = await JsonAsync(await _host.GetAsync("/api/me", token));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(me.GetProperty("roles").GetArrayLength(), Is.Zero);
            Assert.That(me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "graph:read" }));
            Assert.That((await _host.GetAsync("/admin-only", token)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await _host.GetAsync("/admin-only", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the administrator's own key is one");
        });
    }

    [Test]
    public async Task A_token_whose_scopes_cover_every_permission_of_the_role_holds_it()
    {
        var client = await _host.CreateClientAsync(TeamA, role: "operator");

        var narrow = await _host.GetTokenAsync(client, "graph:read");
        var full = await _host.GetTokenAsync(client, "graph:read integrations:push users:read");

        Assert.That(await (await _host.GetAsync("/is-operator", narrow)).Content.ReadAsStringAsync(), Is.EqualTo("no"));
        Assert.That(await (await _host.GetAsync("/is-operator", full)).Content.ReadAsStringAsync(), Is.EqualTo("yes"));
    }

    [Test]
    public async Task Personal_and_team_keys_keep_their_roles()
    {
        var (_, personal) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);

        var me = await JsonAsync(await _host.GetAsync("/api/me", personal));

        Assert.That(me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "operator" }));
    }
}
