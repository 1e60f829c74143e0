using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// RFC 7662 introspection says "active" exactly when the API would accept the token now (one decision for both), and
/// covers an app's refresh tokens as well as access tokens.
/// </summary>
[TestFixture]
public sealed class IntrospectionTests
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

    private async Task<JsonElement> IntrospectAsync((string Id, string? Secret) client, string token, string? hint = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("token", token) };
        if (hint is not null)
        {
            form.Add(new("token_type_hint", hint));
        }

        var response = await _host.PostFormAsync("/oauth2/introspect", form, (client.Id, client.Secret!));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await JsonAsync(response);
    }

    private static bool Active(JsonElement answer) => answer.GetProperty("active").GetBoolean();

    [TestCase("deactivated")]
    [TestCase("no role left")]
    [TestCase("removed")]
    public async Task An_app_token_the_API_refuses_because_of_its_user_is_inactive_at_introspection(string change)
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var (token, _, _) = await new AppFlow(_host, OperatorA).SignInAsync(app);
        Assert.That(Active(await IntrospectAsync(app, token)), Is.True);

        switch (change)
        {
            case "deactivated":
                _host.Directory.SetActive(OperatorA, false);
                break;
            case "no role left":
                _host.Directory.SetRoles(OperatorA, TeamA);
                break;
            default:
                _host.Directory.RemoveUser(OperatorA);
                break;
        }

        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(Active(await IntrospectAsync(app, token)), Is.False);
    }

    [Test]
    public async Task A_client_token_whose_team_no_longer_exists_is_inactive_at_introspection()
    {
        var client = await _host.CreateClientAsync(TeamB);
        var token = await _host.GetTokenAsync(client);
        Assert.That(Active(await IntrospectAsync(client, token)), Is.True);

        _host.Directory.RemoveTeam(TeamB);

        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(Active(await IntrospectAsync(client, token)), Is.False);
    }

    [Test]
    public async Task An_app_introspecting_its_own_refresh_token_learns_who_and_what_it_is_for()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var (_, refresh, _) = await new AppFlow(_host, OperatorA).SignInAsync(app);

        var answer = await IntrospectAsync(app, refresh!);

        Assert.Multiple(() =>
        {
            Assert.That(Active(answer), Is.True);
            Assert.That(answer.GetProperty("client_id").GetString(), Is.EqualTo(app.Id));
            Assert.That(answer.GetProperty("sub").GetString(), Is.EqualTo("user:" + OperatorA));
            Assert.That(answer.GetProperty("scope").GetString(), Is.EqualTo("graph:read offline_access"));
            Assert.That(answer.GetProperty("exp").GetInt64(), Is.EqualTo((_time.GetUtcNow() + TimeSpan.FromDays(30)).ToUnixTimeSeconds()).Within(1));
            Assert.That(answer.GetProperty("veza_team_id").GetString(), Is.EqualTo(TeamA));
        });
    }

    [TestCase(null)]
    [TestCase("refresh_token")]
    [TestCase("access_token")]
    [TestCase("something_else")]
    public async Task A_token_type_hint_never_hides_a_token(string? hint)
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var (token, refresh, _) = await new AppFlow(_host, OperatorA).SignInAsync(app);

        Assert.That(Active(await IntrospectAsync(app, refresh!, hint)), Is.True);
        Assert.That(Active(await IntrospectAsync(app, token, hint)), Is.True);
    }

    [Test]
    public async Task Rotated_revoked_expired_and_other_apps_refresh_tokens_are_inactive_and_say_nothing_more()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var other = await AppFlow.CreateAppAsync(_host);
        var flow = new AppFlow(_host, OperatorA);
        var (_, rotated, _) = await flow.SignInAsync(app);
        var (_, current, _) = await AppFlow.ReadTokensAsync(await flow.RefreshAsync(app, rotated!));
        var (_, revoked, _) = await flow.SignInAsync(app, p => p["prompt"] = "consent");
        await _host.PostFormAsync("/oauth2/revoke", [new("token", revoked!)], (app.Id, app.Secret!));
        var (_, idle, _) = await flow.SignInAsync(app, p => p["prompt"] = "consent");

        var answers = new Dictionary<string, JsonElement>
        {
            ["rotated"] = await IntrospectAsync(app, rotated!),
            ["revoked"] = await IntrospectAsync(app, revoked!),
            ["another app's"] = await IntrospectAsync(other, current!),
            ["current"] = await IntrospectAsync(app, current!),
        };
        _time.Advance(TimeSpan.FromDays(31));
        answers["expired"] = await IntrospectAsync(app, idle!);

        Assert.Multiple(() =>
        {
            foreach (var (name, answer) in answers.Where(a => a.Key != "current"))
            {
                Assert.That(Active(answer), Is.False, name);
                Assert.That(answer.EnumerateObject().Count(), Is.EqualTo(1), name);
            }

            Assert.That(Active(answers["current"]), Is.True, "introspecting the rotated one revoked nothing");
        });
    }

    [Test]
    public async Task A_refresh_token_whose_user_lost_the_team_is_inactive()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var (_, refresh, _) = await new AppFlow(_host, OperatorA).SignInAsync(app);

        _host.Directory.SetRoles(OperatorA, TeamA);

        Assert.That(Active(await IntrospectAsync(app, refresh!)), Is.False);
    }

    [Test]
    public async Task A_grant_store_that_fails_makes_introspection_answer_503_never_active()
    {
        await using var host = await StartAsync(services: s => s.AddSingleton<IOAuthGrantStore>(new ThrowingReads(new Veza.Authentication.Stores.InMemory.InMemoryOAuthGrantStore(new Veza.Authentication.Stores.InMemory.InMemoryChangeFeed()))));
        await host.SwitchOAuth2Async(true);
        var app = await AppFlow.CreateAppAsync(host);

        var response = await host.PostFormAsync("/oauth2/introspect", [new("token", "a-refresh-token-that-is-long-enough-to-be-looked-up")], (app.Id, app.Secret!));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    private sealed class ThrowingReads(IOAuthGrantStore inner) : IOAuthGrantStore
    {
        public ValueTask<OAuthStoreResult> AddCodeAsync(AuthorizationCodeRecord code, int maxPendingPerUserAndApp, DateTimeOffset now, CancellationToken cancellationToken)
            => inner.AddCodeAsync(code, maxPendingPerUserAndApp, now, cancellationToken);

        public ValueTask<AuthorizationCodeRecord?> FindCodeAsync(string codeHash, DateTimeOffset now, CancellationToken cancellationToken)
            => throw new InvalidOperationException("grant store is down (test)");

        public ValueTask<CodeRedemption> RedeemCodeAsync(string codeHash, string appId, DateTimeOffset now, DateTimeOffset grantExpiresAt, CancellationToken cancellationToken)
            => inner.RedeemCodeAsync(codeHash, appId, now, grantExpiresAt, cancellationToken);

        public ValueTask<OAuthGrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken)
            => throw new InvalidOperationException("grant store is down (test)");

        public ValueTask<OAuthStoreResult> AddRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
            => inner.AddRefreshTokenAsync(token, cancellationToken);

        public ValueTask<RefreshTokenRecord?> FindRefreshTokenAsync(string tokenHash, CancellationToken cancellationToken)
            => throw new InvalidOperationException("grant store is down (test)");

        public ValueTask<OAuthStoreResult> RotateRefreshTokenAsync(string currentHash, RefreshTokenRecord successor, DateTimeOffset now, CancellationToken cancellationToken)
            => inner.RotateRefreshTokenAsync(currentHash, successor, now, cancellationToken);

        public ValueTask<IReadOnlyList<string>> RevokeGrantsAsync(OAuthGrantFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
            => inner.RevokeGrantsAsync(filter, now, cancellationToken);

        public ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.PruneAsync(now, cancellationToken);
    }
}
