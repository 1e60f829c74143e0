using System.Net;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Principals;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>Who reaches the Administration pages, and with which headers: the host's signed-in user only, never a
/// bearer credential; every page framed out, uncached and under a Content-Security-Policy without inline script.</summary>
[TestFixture]
public sealed class AdministrationAccessTests
{
    private VezaTestHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await AdminSession.StartHostAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Nobody_signed_in_is_sent_to_sign_in()
    {
        var page = await new AdminSession(_host, user: null).GetAsync("/admin/api-keys/personal");
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(page.Location, Does.StartWith("/signin"));
    }

    [Test]
    public async Task An_api_key_of_a_root_administrator_does_not_open_the_pages()
    {
        var created = await _host.Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Personal, Name = "admin-cli", TeamId = RootTeam, OwnerUserId = RootAdmin },
            VezaCaller.Host, CancellationToken.None);
        var me = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { { "Authorization", "Bearer " + created.AccessKey } } };
        Assert.That((await _host.Client.SendAsync(me)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the key itself works");

        var page = await new AdminSession(_host, user: null).GetAsync("/admin/api-keys/team", bearer: created.AccessKey);
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.Redirect), "only the interactive scheme is read");
        Assert.That(page.Html, Does.Not.Contain("admin-cli"));
    }

    [Test]
    public async Task A_team_key_and_a_client_token_do_not_open_the_pages()
    {
        var teamKey = await _host.Keys.CreateAsync(new ApiKeyDraft { Kind = ApiKeyKind.Team, Name = "push", TeamId = TeamA }, VezaCaller.Host, CancellationToken.None);
        await _host.SwitchOAuth2Async(true);
        var token = await _host.GetTokenAsync(await _host.CreateClientAsync(TeamA, role: "admin"));
        foreach (var bearer in new[] { teamKey.AccessKey!, token })
        {
            var session = new AdminSession(_host, user: null);
            Assert.That((await session.GetAsync("/admin/api-keys/team", bearer)).Status, Is.EqualTo(HttpStatusCode.Redirect));
            var post = await session.PostAsync("/admin/api-keys/team/new", [new("name", "sneaky"), new("team_id", TeamA)]);
            Assert.That(post.Status, Is.EqualTo(HttpStatusCode.Redirect));
        }

        var listing = await _host.Keys.ListAsync(new ApiKeyQuery { Name = "sneaky" }, VezaCaller.Host, CancellationToken.None);
        Assert.That(listing.Items, Is.Empty);
    }

    [TestCase("/admin/api-keys/personal")]
    [TestCase("/admin/api-keys/team")]
    [TestCase("/admin/api-keys/apps")]
    [TestCase("/admin/api-keys/clients")]
    [TestCase("/admin/api-keys/team/new")]
    [TestCase("/admin/api-keys/clients/new")]
    [TestCase("/admin/api-keys/apps/new")]
    [TestCase("/admin/sign-in-settings")]
    [TestCase("/admin/authorized-apps")]
    [TestCase("/admin/no-such-page")]
    public async Task Every_page_is_framed_out_uncached_and_without_inline_script_or_style(string path)
    {
        var page = await new AdminSession(_host, RootAdmin).GetAsync(path);
        Assert.Multiple(() =>
        {
            Assert.That((int)page.Status, Is.EqualTo(path.EndsWith("no-such-page", StringComparison.Ordinal) ? 404 : 200), page.Html);
            Assert.That(page.Headers["X-Frame-Options"], Is.EqualTo("DENY"));
            Assert.That(page.Headers["Content-Security-Policy"], Does.Contain("frame-ancestors 'none'").And.Contain("script-src 'self'")
                .And.Contain("style-src 'self'").And.Not.Contain("unsafe-inline"));
            Assert.That(page.Headers["Cache-Control"], Does.Contain("no-store"));
            Assert.That(page.Headers["X-Content-Type-Options"], Is.EqualTo("nosniff"));
            Assert.That(page.Html, Does.Not.Contain("<style").And.Not.Contain(" style=").And.Not.Contain(" onclick=").And.Not.Contain("javascript:"));
            Assert.That(System.Text.RegularExpressions.Regex.Matches(page.Html, "<script(?![^>]*\\ssrc=\"/admin/assets/admin\\.js)"), Is.Empty,
                "only the package's own script file");
            Assert.That(System.Text.RegularExpressions.Regex.IsMatch(page.Html, "(src|href|action)=\"(https?:)?//"), Is.False, "nothing is loaded from elsewhere");
        });
    }

    [Test]
    public async Task The_stylesheet_and_the_script_are_files_of_the_site()
    {
        var css = await _host.Client.GetAsync("/admin/assets/veza.css");
        var js = await _host.Client.GetAsync("/admin/assets/admin.js");
        var consentCss = await _host.Client.GetAsync("/oauth2/authorize/veza.css");
        Assert.Multiple(async () =>
        {
            Assert.That(css.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(css.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/css"));
            Assert.That(js.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/javascript"));
            Assert.That(await consentCss.Content.ReadAsStringAsync(), Is.EqualTo(await css.Content.ReadAsStringAsync()),
                "the consent page and the administration pages share one stylesheet");
        });

        var again = new HttpRequestMessage(HttpMethod.Get, "/admin/assets/veza.css") { Headers = { { "If-None-Match", css.Headers.ETag!.Tag } } };
        Assert.That((await _host.Client.SendAsync(again)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [Test]
    public async Task A_user_of_several_teams_chooses_the_team_to_act_in()
    {
        _host.Directory.SetRoles("multi", TeamA, ["viewer"]);
        _host.Directory.SetRoles("multi", TeamB, ["admin"]);
        _host.Directory.AddUser(new VezaUser("multi", "Multi", IsActive: true));
        var session = new AdminSession(_host, "multi");

        var choose = await session.GetAsync("/admin/api-keys/team");
        Assert.That(choose.Html, Does.Contain("Choose a team").And.Contain("?team=" + TeamB));

        var asAdminOfB = await session.GetAsync("/admin/api-keys/team?team=" + TeamB);
        Assert.That(asAdminOfB.Status, Is.EqualTo(HttpStatusCode.OK), asAdminOfB.Html);
        Assert.That(asAdminOfB.TextOf("acting-team"), Is.EqualTo("Team B"));
        Assert.That(asAdminOfB.Html, Does.Contain("<form method=\"get\" action=\"/admin/api-keys/team\" class=\"inline\">"), "the switcher stays on this page");
        Assert.That(asAdminOfB.Html, Does.Contain("<option value=\"team-b\" selected>Team B</option>"));

        var asViewerOfA = await session.GetAsync("/admin/api-keys/team?team=" + TeamA);
        Assert.That(asViewerOfA.Status, Is.EqualTo(HttpStatusCode.Forbidden), "a viewer of team A lists no team keys");
    }

    [Test]
    public async Task An_inactive_user_is_refused_with_a_page_in_words()
    {
        _host.Directory.AddUser(new VezaUser("gone", "Gone", IsActive: false));
        _host.Directory.SetRoles("gone", TeamA, ["admin"]);
        var page = await new AdminSession(_host, "gone").GetAsync("/admin/api-keys/personal");
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(page.TextOf("page-error"), Does.Contain("not active"));
    }

    [Test]
    public async Task A_host_with_api_keys_alone_gets_the_key_tabs_and_nothing_that_needs_oauth2()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var directory = new InMemoryUserDirectory();
        directory.AddTeam(new VezaTeam(RootTeam, "Root", IsRoot: true));
        directory.AddUser(new VezaUser(RootAdmin, "Root administrator", IsActive: true));
        directory.SetRoles(RootAdmin, RootTeam, ["admin"]);
        builder.Services.AddVezaAuthentication(o =>
            {
                o.AddRole("admin", "graph:read");
                o.AddRole("oaa_push", "graph:read");
                o.OAuth2.InteractiveScheme = TestSignInHandler.Name;
            })
            .AddUserDirectory(directory)
            .AddApiKeyStore<InMemoryApiKeyStore>();
        // The in-memory key store writes to the in-memory feed, which is then the host's feed too.
        builder.Services.AddSingleton<InMemoryChangeFeed>();
        builder.Services.AddSingleton<IVezaChangeFeed>(sp => sp.GetRequiredService<InMemoryChangeFeed>());
        builder.Services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TestSignInHandler>(TestSignInHandler.Name, null);
        builder.Services.AddVezaAdministration();
        await using var app = builder.Build();
        app.MapVezaAdministration();
        await app.StartAsync();
        var client = app.GetTestClient();

        async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { TestSignInHandler.UserHeader, RootAdmin } } };
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var team = await GetAsync("/admin/api-keys/team");
        Assert.That(team.Status, Is.EqualTo(HttpStatusCode.OK), team.Html);
        Assert.That(team.Html, Does.Not.Contain("OAuth2 Clients").And.Not.Contain("OAuth2 Apps").And.Not.Contain("Sign-in Settings").And.Not.Contain("Authorized apps"));
        foreach (var path in new[] { "/admin/api-keys/clients", "/admin/api-keys/apps/new", "/admin/sign-in-settings", "/admin/sign-in-settings/turn-off", "/admin/authorized-apps" })
        {
            var page = await GetAsync(path);
            Assert.That(page.Status, Is.EqualTo(HttpStatusCode.NotFound), path + "\n" + page.Html);
        }
    }
}
