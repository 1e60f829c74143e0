using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.OAuth2;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>Apps when things go wrong or change elsewhere: a failing grant store fails closed, a host's own consent
/// page, a host without a sign-in scheme, and two instances following each other's revocations.</summary>
[TestFixture]
public sealed class AppResilienceTests
{
    [Test]
    public async Task A_failing_grant_store_gives_503_at_the_token_endpoint_and_for_app_tokens_never_a_token_or_access()
    {
        var grants = new FailingGrantStore();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<IOAuthGrantStore>(grants));
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        });
        await host.SwitchOAuth2Async(true);
        var app = await AppFlow.CreateAppAsync(host);
        var flow = new AppFlow(host, OperatorA);
        var (token, refresh, _) = await flow.SignInAsync(app);
        var code = await flow.AuthorizeAsync(app.Id);

        grants.Fail = true;
        // The grant's state, remembered for the refresh interval, must be read from the failing store again.
        time.Advance(TimeSpan.FromSeconds(6));
        var redeem = await flow.RedeemAsync(app, code);
        var refreshed = await flow.RefreshAsync(app, refresh!);
        var call = await host.GetAsync("/api/me", token);
        var authorize = await new AppFlow(host, OperatorA).GetAsync(flow.AuthorizeUrl(app.Id, p => p["prompt"] = "consent"));
        var page = await flow.GetAsync(flow.AuthorizeUrl(app.Id));

        Assert.That(redeem.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await redeem.Content.ReadAsStringAsync(), Does.Contain("temporarily_unavailable"));
        Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(call.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(authorize.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the consent page needs no grant store");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "issuing a remembered consent's code needs it");
        Assert.That(page.Headers.Location, Is.Null);

        grants.Fail = false;
        Assert.That((await flow.RedeemAsync(app, code)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the code was not spent by the failure");
    }

    [Test]
    public async Task A_withdrawal_while_a_grant_check_is_in_flight_is_not_undone_by_the_check()
    {
        var grants = new FailingGrantStore();
        await using var host = await StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IOAuthGrantStore>(grants)));
        await host.SwitchOAuth2Async(true);
        var app = await AppFlow.CreateAppAsync(host);
        var (token, _, _) = await new AppFlow(host, OperatorA).SignInAsync(app);
        var (_, key) = await host.CreatePersonalKeyAsync(OperatorA, TeamA);

        // The token's first use reads its grant from the store; that read is held while the user withdraws consent.
        var hold = grants.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = host.GetAsync("/api/me", token);
        await grants.Held.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var withdrawn = await host.SendAsync(HttpMethod.Delete, $"/api/preview/oauth2consents/{app.Id}", key);
        var after = host.GetAsync("/api/me", token);
        hold.SetResult();
        await inFlight;

        Assert.That(withdrawn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await after).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a request after the withdrawal does not join the older check");
        Assert.That((await host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "and the older check's answer is not kept");
    }

    [Test]
    public async Task A_host_replaces_the_consent_page_and_its_form_still_decides()
    {
        await using var host = await StartAsync(services: s => s.AddSingleton<IVezaConsentPage, PlainConsentPage>());
        await host.SwitchOAuth2Async(true);
        var app = await AppFlow.CreateAppAsync(host);
        var flow = new AppFlow(host, OperatorA);
        var url = flow.AuthorizeUrl(app.Id);

        var page = await flow.GetAsync(url);
        var html = await page.Content.ReadAsStringAsync();
        var code = AppFlow.CodeFrom(await flow.DecideAsync(url, page, "allow"));

        Assert.That(html, Does.StartWith("<!-- host page -->"));
        Assert.That(page.Headers.GetValues("X-Frame-Options"), Is.EqualTo(new[] { "DENY" }), "the library's headers stay");
        Assert.That((await flow.RedeemAsync(app, code)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_host_with_the_client_stores_only_offers_clients_and_no_app_endpoint()
    {
        await using var host = await StartAsync(services: s =>
        {
            s.RemoveAll<IOAuthGrantStore>();
            s.RemoveAll<IOAuthConsentStore>();
        }, options: o => o.OAuth2.InteractiveScheme = null);
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);
        var (_, rootKey) = await host.CreatePersonalKeyAsync(RootAdmin, RootTeam);

        var metadata = await JsonAsync(await host.Client.GetAsync("/.well-known/oauth-authorization-server"));
        var authorize = await host.Client.GetAsync("/oauth2/authorize?response_type=code&client_id=x");
        var apps = await host.GetAsync("/api/preview/oauth2apps", rootKey);
        var token = await host.GetTokenAsync(client);

        Assert.That(metadata.TryGetProperty("authorization_endpoint", out _), Is.False);
        Assert.That(metadata.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()), Is.EqualTo(new[] { "client_credentials" }));
        Assert.That(authorize.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(apps.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void A_host_with_app_stores_but_no_interactive_scheme_is_told_at_start()
    {
        var error = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await StartAsync(options: o => o.OAuth2.InteractiveScheme = null));

        Assert.That(error!.Message, Does.Contain("InteractiveScheme"));
    }

    [Test]
    public async Task Two_instances_follow_each_others_app_revocations_and_withdrawn_consents()
    {
        var keyRing = System.IO.Directory.CreateTempSubdirectory("veza-keys-").FullName;
        try
        {
            var changes = new InMemoryChangeFeed();
            var clients = new InMemoryOAuthClientStore(changes);
            var keys = new InMemorySigningKeyStore(changes);
            var revocations = new InMemoryTokenRevocationStore(changes);
            var settings = new InMemorySettingsStore(changes);
            var grants = new InMemoryOAuthGrantStore(changes);
            var consents = new InMemoryOAuthConsentStore();
            Task<VezaTestHost> Start() => StartAsync(services: s =>
            {
                s.Replace(ServiceDescriptor.Singleton(changes));
                s.Replace(ServiceDescriptor.Singleton<IOAuthClientStore>(clients));
                s.Replace(ServiceDescriptor.Singleton<ISigningKeyStore>(keys));
                s.Replace(ServiceDescriptor.Singleton<ITokenRevocationStore>(revocations));
                s.Replace(ServiceDescriptor.Singleton<IVezaSettingsStore>(settings));
                s.Replace(ServiceDescriptor.Singleton<IOAuthGrantStore>(grants));
                s.Replace(ServiceDescriptor.Singleton<IOAuthConsentStore>(consents));
                s.AddDataProtection().SetApplicationName("veza-tests").PersistKeysToFileSystem(new DirectoryInfo(keyRing));
            }, options: o => o.Stores.ChangePollInterval = TimeSpan.FromMilliseconds(200));
            await using var a = await Start();
            await using var b = await Start();
            await a.SwitchOAuth2Async(true);
            var app = await AppFlow.CreateAppAsync(a);
            var (token, refresh, _) = await new AppFlow(a, OperatorA).SignInAsync(app);
            var (other, _, _) = await new AppFlow(b, ViewerA).SignInAsync(app);

            var onB = await b.GetAsync("/api/me", token);
            var withdrawn = await a.Services.GetRequiredService<UserGrants>().Consents.RemoveAsync(OperatorA, app.Id, default);
            await a.Services.GetRequiredService<UserGrants>().RevokeAsync(new OAuthGrantFilter { AppId = app.Id, UserId = OperatorA }, default);
            var afterWithdrawal = await Eventually.StatusAsync(() => b.GetAsync("/api/me", token), HttpStatusCode.Unauthorized);
            var refreshOnB = await new AppFlow(b, OperatorA).RefreshAsync(app, refresh!);
            await b.Apps.RevokeAsync(app.Id, VezaCaller.Host, default);
            var otherOnA = await Eventually.StatusAsync(() => a.GetAsync("/api/me", other), HttpStatusCode.Unauthorized);

            Assert.That(onB.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(withdrawn, Is.EqualTo(1));
            Assert.That(afterWithdrawal, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refreshOnB.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(otherOnA, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        finally
        {
            System.IO.Directory.Delete(keyRing, recursive: true);
        }
    }

    private sealed class PlainConsentPage : IVezaConsentPage
    {
        public Task RenderAsync(HttpContext context, VezaConsentPageModel model, CancellationToken cancellationToken)
        {
            context.Response.ContentType = "text/html";
            static string e(string value) => WebUtility.HtmlEncode(value);
            return context.Response.WriteAsync(
                $"<!-- host page --><form method=\"post\" action=\"{e(model.FormAction)}\"><input type=\"hidden\" name=\"{e(model.AntiforgeryField)}\" " +
                $"value=\"{e(model.AntiforgeryToken)}\"><input type=\"hidden\" name=\"team_id\" value=\"{e(model.Teams[0].Id)}\">" +
                "<button name=\"decision\" value=\"allow\">OK</button></form>", cancellationToken);
        }
    }

    private sealed class FailingGrantStore : IOAuthGrantStore
    {
        private readonly InMemoryOAuthGrantStore _inner = new(new InMemoryChangeFeed());

        public volatile bool Fail;

        public TaskCompletionSource? Hold;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private InMemoryOAuthGrantStore Inner => Fail ? throw new InvalidOperationException("grant store is down (test)") : _inner;

        public ValueTask<OAuthStoreResult> AddCodeAsync(AuthorizationCodeRecord code, int maxPendingPerUserAndApp, DateTimeOffset now, CancellationToken cancellationToken)
            => Inner.AddCodeAsync(code, maxPendingPerUserAndApp, now, cancellationToken);

        public ValueTask<AuthorizationCodeRecord?> FindCodeAsync(string codeHash, DateTimeOffset now, CancellationToken cancellationToken)
            => Inner.FindCodeAsync(codeHash, now, cancellationToken);

        public ValueTask<CodeRedemption> RedeemCodeAsync(string codeHash, string appId, DateTimeOffset now, DateTimeOffset grantExpiresAt, CancellationToken cancellationToken)
            => Inner.RedeemCodeAsync(codeHash, appId, now, grantExpiresAt, cancellationToken);

        public async ValueTask<OAuthGrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken)
        {
            // Read before the hold, as a slow database answers what it read when the query started.
            var found = await Inner.FindGrantAsync(grantId, cancellationToken);
            if (Interlocked.Exchange(ref Hold, null) is { } hold)
            {
                Held.TrySetResult();
                await hold.Task;
            }

            return found;
        }

        public ValueTask<OAuthStoreResult> AddRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
            => Inner.AddRefreshTokenAsync(token, cancellationToken);

        public ValueTask<RefreshTokenRecord?> FindRefreshTokenAsync(string tokenHash, CancellationToken cancellationToken)
            => Inner.FindRefreshTokenAsync(tokenHash, cancellationToken);

        public ValueTask<OAuthStoreResult> RotateRefreshTokenAsync(string currentHash, RefreshTokenRecord successor, DateTimeOffset now, CancellationToken cancellationToken)
            => Inner.RotateRefreshTokenAsync(currentHash, successor, now, cancellationToken);

        public ValueTask<IReadOnlyList<string>> RevokeGrantsAsync(OAuthGrantFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
            => Inner.RevokeGrantsAsync(filter, now, cancellationToken);

        public ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken) => Inner.PruneAsync(now, cancellationToken);
    }
}
