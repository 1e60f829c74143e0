using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.Principals;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>The app grants at the token endpoint: code redemption with PKCE, refresh rotation, and everything that ends
/// an app's tokens for a user.</summary>
[TestFixture]
public sealed class AppTokenTests
{
    private VezaTestHost _host = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public async Task SetUp()
    {
        (_host, _time) = await StartOAuth2OnClockAsync();
    }

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    private static async Task<string> ErrorOf(HttpResponseMessage response) => (await ErrorAssertions.OAuthErrorOf(response)).Error;

    [Test]
    public async Task A_code_redeems_once_and_a_replay_revokes_the_tokens_it_produced()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var code = await flow.AuthorizeAsync(app.Id);

        var (token, refresh, _) = await AppFlow.ReadTokensAsync(await flow.RedeemAsync(app, code));
        var before = await _host.GetAsync("/api/me", token);
        var replay = await flow.RedeemAsync(app, code);

        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await ErrorOf(replay), Is.EqualTo("invalid_grant"));
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the first redemption's access token");
        Assert.That(await ErrorOf(await flow.RefreshAsync(app, refresh!)), Is.EqualTo("invalid_grant"), "and its refresh token");
    }

    [Test]
    public async Task Of_fifty_concurrent_redemptions_of_one_code_exactly_one_succeeds()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var code = await flow.AuthorizeAsync(app.Id);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => flow.RedeemAsync(app, code))));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest), Is.EqualTo(49));
    }

    [Test]
    public async Task A_wrong_verifier_redirect_uri_app_or_an_expired_code_is_invalid_grant()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var other = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);

        var wrongVerifier = await flow.RedeemAsync(app, await flow.AuthorizeAsync(app.Id), verifier: new AppFlow(_host, null).Verifier);
        var wrongRedirect = await flow.RedeemAsync(app, await flow.AuthorizeAsync(app.Id), redirectUri: AppFlow.RedirectUri + "/");
        var wrongApp = await flow.RedeemAsync(other, await flow.AuthorizeAsync(app.Id));
        var unknown = await flow.RedeemAsync(app, "not-a-code");
        var late = await flow.AuthorizeAsync(app.Id);
        _time.Advance(TimeSpan.FromSeconds(61));
        var expired = await flow.RedeemAsync(app, late);
        var noVerifier = await flow.TokenAsync(app, [new("grant_type", "authorization_code"), new("code", late), new("redirect_uri", AppFlow.RedirectUri)]);

        Assert.That(await ErrorOf(wrongVerifier), Is.EqualTo("invalid_grant"));
        Assert.That(await ErrorOf(wrongRedirect), Is.EqualTo("invalid_grant"));
        Assert.That(await ErrorOf(wrongApp), Is.EqualTo("invalid_grant"));
        Assert.That(await ErrorOf(unknown), Is.EqualTo("invalid_grant"));
        Assert.That(await ErrorOf(expired), Is.EqualTo("invalid_grant"));
        Assert.That(await ErrorOf(noVerifier), Is.EqualTo("invalid_request"));
    }

    [Test]
    public async Task A_public_app_authenticates_with_its_client_id_alone_and_a_confidential_one_never_does()
    {
        var publicApp = await AppFlow.CreateAppAsync(_host, isPublic: true);
        var confidential = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);

        var (token, refresh, _) = await flow.SignInAsync(publicApp);
        var refreshed = await flow.RefreshAsync(publicApp, refresh!);
        var withoutSecret = await flow.RedeemAsync((confidential.Id, null), await flow.AuthorizeAsync(confidential.Id));
        var wrongSecret = await flow.RedeemAsync((confidential.Id, "vezacs_wrong_secret_0123456789abcdef0123"), await flow.AuthorizeAsync(confidential.Id));

        Assert.That(publicApp.Secret, Is.Null);
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(withoutSecret.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await ErrorOf(withoutSecret), Is.EqualTo("invalid_client"));
        Assert.That(await ErrorOf(wrongSecret), Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task Clients_and_apps_each_keep_to_their_own_grants_and_there_is_no_password_grant()
    {
        var publicApp = await AppFlow.CreateAppAsync(_host, isPublic: true);
        var app = await AppFlow.CreateAppAsync(_host);
        var client = await _host.CreateClientAsync(TeamA);
        var flow = new AppFlow(_host, OperatorA);

        var appCredentials = await flow.TokenAsync(app, [new("grant_type", "client_credentials")]);
        var publicCredentials = await flow.TokenAsync(publicApp, [new("grant_type", "client_credentials")]);
        var clientCode = await flow.TokenAsync(client, [new("grant_type", "authorization_code"), new("code", "x"), new("redirect_uri", AppFlow.RedirectUri),
            new("code_verifier", flow.Verifier)]);
        var password = await flow.TokenAsync(app, [new("grant_type", "password"), new("username", OperatorA), new("password", "x")]);
        var clientId = await flow.TokenAsync((client.Id, null), [new("grant_type", "client_credentials")]);

        Assert.That(await ErrorOf(appCredentials), Is.EqualTo("unauthorized_client"));
        Assert.That(await ErrorOf(publicCredentials), Is.EqualTo("unauthorized_client"));
        Assert.That(await ErrorOf(clientCode), Is.EqualTo("unauthorized_client"));
        Assert.That(await ErrorOf(password), Is.EqualTo("unsupported_grant_type"));
        Assert.That(await ErrorOf(clientId), Is.EqualTo("invalid_client"), "a client is never public");
    }

    [Test]
    public async Task A_refresh_token_rotates_and_using_a_rotated_one_revokes_the_whole_family()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (first, refresh1, _) = await flow.SignInAsync(app);

        var (second, refresh2, _) = await AppFlow.ReadTokensAsync(await flow.RefreshAsync(app, refresh1!));
        var reuse = await flow.RefreshAsync(app, refresh1!);

        Assert.That(refresh2, Is.Not.EqualTo(refresh1));
        Assert.That(await ErrorOf(reuse), Is.EqualTo("invalid_grant"));
        Assert.That(await ErrorOf(await flow.RefreshAsync(app, refresh2!)), Is.EqualTo("invalid_grant"), "the newest refresh token of the family");
        Assert.That((await _host.GetAsync("/api/me", first)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await _host.GetAsync("/api/me", second)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Concurrent_uses_of_one_refresh_token_give_at_most_one_new_token_and_revoke_the_family()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (_, refresh, _) = await flow.SignInAsync(app);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => flow.RefreshAsync(app, refresh!))));
        var winner = responses.SingleOrDefault(r => r.StatusCode == HttpStatusCode.OK);

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.LessThanOrEqualTo(1));
        if (winner is not null)
        {
            var (token, newest, _) = await AppFlow.ReadTokensAsync(winner);
            Assert.That(await ErrorOf(await flow.RefreshAsync(app, newest!)), Is.EqualTo("invalid_grant"), "the reuse revoked the family");
            Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
    }

    [Test]
    public async Task A_refresh_can_narrow_the_scope_but_never_widen_it_and_no_offline_access_means_no_refresh_token()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (_, refresh, _) = await flow.SignInAsync(app, p => p["scope"] = "graph:read users:read offline_access");
        var (_, noRefresh, body) = await flow.SignInAsync(app, p => p["scope"] = "graph:read");

        var wider = await flow.RefreshAsync(app, refresh!, "graph:read integrations:push");
        var (narrow, rotated, narrowBody) = await AppFlow.ReadTokensAsync(await flow.RefreshAsync(app, refresh!, "users:read"));
        var me = JsonDocument.Parse(await (await _host.GetAsync("/api/me", narrow)).Content.ReadAsStringAsync()).RootElement;

        Assert.That(await ErrorOf(wider), Is.EqualTo("invalid_scope"));
        Assert.That(narrowBody.GetProperty("scope").GetString(), Is.EqualTo("users:read"));
        Assert.That(me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "users:read" }));
        Assert.That(rotated, Is.Not.Null.And.Not.EqualTo(refresh), "a narrowed refresh rotates too");
        Assert.That(noRefresh, Is.Null);
        Assert.That(body.TryGetProperty("refresh_token", out _), Is.False);
    }

    [Test]
    public async Task Refresh_tokens_last_30_days_as_Veza_keeps_them_so_an_app_idle_for_weeks_keeps_working()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (_, idle, _) = await flow.SignInAsync(app);
        var (_, late, _) = await flow.SignInAsync(app, p => p["prompt"] = "consent");
        var (_, busy, _) = await flow.SignInAsync(app, p => p["prompt"] = "consent");

        _time.Advance(TimeSpan.FromDays(29));
        var afterFourIdleWeeks = await flow.RefreshAsync(app, idle!);
        (_, busy, _) = await AppFlow.ReadTokensAsync(await flow.RefreshAsync(app, busy!));
        _time.Advance(TimeSpan.FromDays(2));

        Assert.That(afterFourIdleWeeks.StatusCode, Is.EqualTo(HttpStatusCode.OK), "idle for 29 days");
        Assert.That(await ErrorOf(await flow.RefreshAsync(app, late!)), Is.EqualTo("invalid_grant"), "unused for 31 days");
        Assert.That(await ErrorOf(await flow.RefreshAsync(app, busy!)), Is.EqualTo("invalid_grant"), "past the 30-day absolute lifetime, however busy");
    }

    [Test]
    public async Task A_user_who_loses_a_role_leaves_the_team_or_is_deactivated_loses_it_through_the_app_on_the_next_request()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (token, refresh, _) = await flow.SignInAsync(app, p => p["scope"] = "graph:read users:read offline_access");

        _host.Directory.SetRoles(OperatorA, TeamA, "oaa_push");
        var demoted = JsonDocument.Parse(await (await _host.GetAsync("/api/me", token)).Content.ReadAsStringAsync()).RootElement;
        var graph = await _host.GetAsync("/api/graph", token);
        _host.Directory.SetRoles(OperatorA, TeamA);
        var removed = await _host.GetAsync("/api/me", token);
        var refreshRemoved = await flow.RefreshAsync(app, refresh!);

        Assert.That(demoted.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "users:read" }),
            "oaa_push's permissions narrowed to the scopes");
        Assert.That(graph.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await ErrorOf(refreshRemoved), Is.EqualTo("invalid_grant"));

        _host.Directory.SetRoles(OperatorA, TeamA, "operator");
        var (token2, _, _) = await flow.SignInAsync(app);
        _host.Directory.SetActive(OperatorA, false);
        Assert.That((await _host.GetAsync("/api/me", token2)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "deactivated");
    }

    [Test]
    public async Task Revoking_or_deleting_an_app_ends_its_tokens_and_refresh_tokens_and_reinstating_does_not_bring_them_back()
    {
        var revoked = await AppFlow.CreateAppAsync(_host);
        var deleted = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (token1, refresh1, _) = await flow.SignInAsync(revoked);
        var (token2, refresh2, _) = await flow.SignInAsync(deleted);

        await _host.Apps.RevokeAsync(revoked.Id, VezaCaller.Host, CancellationToken.None);
        await _host.Apps.DeleteAsync(deleted.Id, VezaCaller.Host, CancellationToken.None);
        var revokedToken = await _host.GetAsync("/api/me", token1);
        var deletedToken = await _host.GetAsync("/api/me", token2);
        var deletedRefresh = await flow.RefreshAsync(deleted, refresh2!);
        await _host.Apps.ReinstateAsync(revoked.Id, VezaCaller.Host, CancellationToken.None);

        Assert.That(revokedToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(deletedToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await ErrorOf(deletedRefresh), Is.EqualTo("invalid_client"));
        Assert.That((await _host.GetAsync("/api/me", token1)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "after reinstating");
        Assert.That(await ErrorOf(await flow.RefreshAsync(revoked, refresh1!)), Is.EqualTo("invalid_grant"), "after reinstating");
    }

    [Test]
    public async Task Revoking_a_refresh_token_revokes_its_family_and_another_apps_revocation_changes_nothing()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var other = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (token, refresh, _) = await flow.SignInAsync(app);

        var foreign = await _host.PostFormAsync("/oauth2/revoke", [new("token", refresh!)], (other.Id, other.Secret!));
        var stillWorks = await _host.GetAsync("/api/me", token);
        var own = await _host.PostFormAsync("/oauth2/revoke", [new("token", refresh!), new("token_type_hint", "refresh_token")], (app.Id, app.Secret!));

        Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(stillWorks.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await ErrorOf(await flow.RefreshAsync(app, refresh!)), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task Introspection_tells_the_app_about_its_own_user_token_and_nothing_about_others()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var other = await AppFlow.CreateAppAsync(_host);
        var (token, _, _) = await new AppFlow(_host, OperatorA).SignInAsync(app);

        var own = await JsonAsync(await _host.PostFormAsync("/oauth2/introspect", [new("token", token)], (app.Id, app.Secret!)));
        var foreign = await JsonAsync(await _host.PostFormAsync("/oauth2/introspect", [new("token", token)], (other.Id, other.Secret!)));

        Assert.That(own.GetProperty("active").GetBoolean(), Is.True);
        Assert.That(own.GetProperty("sub").GetString(), Is.EqualTo("user:" + OperatorA));
        Assert.That(own.GetProperty("client_id").GetString(), Is.EqualTo(app.Id));
        Assert.That(foreign.GetProperty("active").GetBoolean(), Is.False);
        Assert.That(foreign.EnumerateObject().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_forged_user_token_for_a_client_or_another_grant_is_refused()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var client = await _host.CreateClientAsync(TeamA);
        var codec = _host.Services.GetRequiredService<OAuth2.Tokens.AccessTokenCodec>();
        var flow = new AppFlow(_host, OperatorA);
        await flow.SignInAsync(app);

        // Signed by our own key, so only the holder checks can refuse them.
        var (asClient, _) = await codec.CreateForUserAsync(client.Id, OperatorA, TeamA, "no-such-grant", ["graph:read"], TimeSpan.FromMinutes(5), CancellationToken.None);
        var (unknownGrant, _) = await codec.CreateForUserAsync(app.Id, OperatorA, TeamA, "no-such-grant", ["graph:read"], TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.That((await _host.GetAsync("/api/me", asClient)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await _host.GetAsync("/api/me", unknownGrant)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_scope_taken_from_the_app_is_no_longer_given_on_refresh_and_without_offline_access_refresh_tokens_stop()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (_, refresh, _) = await flow.SignInAsync(app, p => p["scope"] = "graph:read users:read offline_access");
        var current = (await _host.Apps.FindAsync(app.Id, VezaCaller.Host, CancellationToken.None))!;
        OAuth2.OAuthAppDraft Draft(params string[] scopes) => new()
        {
            Name = current.Name,
            TeamId = current.TeamId,
            BaseUrl = current.App!.BaseUrl,
            RedirectUris = current.App.RedirectUris,
            AllowedScopes = scopes,
        };

        await _host.Apps.UpdateAsync(app.Id, Draft("users:read", "offline_access"), VezaCaller.Host, CancellationToken.None);
        var (narrowed, next, body) = await AppFlow.ReadTokensAsync(await flow.RefreshAsync(app, refresh!));
        var graph = await _host.GetAsync("/api/graph", narrowed);
        await _host.Apps.UpdateAsync(app.Id, Draft("users:read"), VezaCaller.Host, CancellationToken.None);
        var refused = await flow.RefreshAsync(app, next!);

        Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("users:read offline_access"));
        Assert.That(graph.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await ErrorOf(refused), Is.EqualTo("invalid_grant"), "offline_access was taken from the app");
    }
}
