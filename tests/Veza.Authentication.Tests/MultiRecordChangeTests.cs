using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// Changes that span records (withdrawing a consent; revoking or deleting an app) survive a failure at any step: the
/// first attempt answers 503, a retry finishes, and nothing is left with its grants live.
/// </summary>
[TestFixture]
public sealed class MultiRecordChangeTests
{
    private VezaTestHost _host = null!;
    private FailOnce _failures = null!;

    [SetUp]
    public async Task SetUp()
    {
        _failures = new FailOnce();
        var grants = new StepGrantStore(new InMemoryOAuthGrantStore(new InMemoryChangeFeed()), _failures);
        var consents = new StepConsentStore(new InMemoryOAuthConsentStore(), _failures);
        var clients = new StepClientStore(new InMemoryOAuthClientStore(new InMemoryChangeFeed()), _failures);
        _host = await StartAsync(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<IOAuthGrantStore>(grants));
            s.Replace(ServiceDescriptor.Singleton<IOAuthConsentStore>(consents));
            s.Replace(ServiceDescriptor.Singleton<IOAuthClientStore>(clients));
        });
        await _host.SwitchOAuth2Async(true);
    }

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    private async Task<(string Token, string Refresh, (string Id, string? Secret) App)> SignedInAppAsync()
    {
        var app = await AppFlow.CreateAppAsync(_host);
        var (token, refresh, _) = await new AppFlow(_host, OperatorA).SignInAsync(app);
        return (token, refresh!, app);
    }

    private async Task AssertEndedAsync(string token, string refresh, (string Id, string? Secret) app)
    {
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the access token");
        var refreshed = await new AppFlow(_host, OperatorA).RefreshAsync(app, refresh);
        Assert.That(refreshed.StatusCode, Is.AnyOf(HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized), "the refresh token");
        Assert.That(await _host.Services.GetRequiredService<IOAuthConsentStore>().ListAsync(OperatorA, app.Id, CancellationToken.None), Is.Empty, "the consent");
    }

    [TestCase(FailOnce.Failing.RevokeGrants)]
    [TestCase(FailOnce.Failing.RemoveConsents)]
    public async Task A_withdrawal_that_fails_halfway_is_finished_by_its_retry(FailOnce.Failing step)
    {
        var (token, refresh, app) = await SignedInAppAsync();
        var (_, key) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        _failures.Arm(step);

        var first = await _host.SendAsync(HttpMethod.Delete, "/api/preview/oauth2consents/" + app.Id, key);
        var retry = await _host.SendAsync(HttpMethod.Delete, "/api/preview/oauth2consents/" + app.Id, key);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the retry finds the consent and finishes");
        await AssertEndedAsync(token, refresh, app);
    }

    [TestCase(FailOnce.Failing.RevokeGrants)]
    [TestCase(FailOnce.Failing.RemoveConsents)]
    [TestCase(FailOnce.Failing.DeleteApp)]
    public async Task Deleting_an_app_that_fails_halfway_is_finished_by_its_retry(FailOnce.Failing step)
    {
        var (token, refresh, app) = await SignedInAppAsync();
        _failures.Arm(step);

        Assert.ThrowsAsync<InvalidOperationException>(async () => await _host.Apps.DeleteAsync(app.Id, VezaCaller.Host, CancellationToken.None));
        var retry = await _host.Apps.DeleteAsync(app.Id, VezaCaller.Host, CancellationToken.None);

        Assert.That(retry.Result, Is.EqualTo(Veza.Authentication.OAuth2.OAuthClientResult.Success), "the app is still there for the retry");
        Assert.That(await _host.Apps.FindAsync(app.Id, VezaCaller.Host, CancellationToken.None), Is.Null);
        Assert.That((await _host.Services.GetRequiredService<IOAuthGrantStore>().RevokeGrantsAsync(new OAuthGrantFilter { AppId = app.Id },
            DateTimeOffset.UtcNow, CancellationToken.None)), Is.Empty, "no grant of the app is left live");
        await AssertEndedAsync(token, refresh, app);
    }

    [Test]
    public async Task Revoking_an_app_over_http_that_fails_halfway_is_finished_by_its_retry()
    {
        var (token, refresh, app) = await SignedInAppAsync();
        var (_, root) = await _host.CreatePersonalKeyAsync(RootAdmin, RootTeam);
        _failures.Arm(FailOnce.Failing.RevokeGrants);

        var first = await _host.SendAsync(HttpMethod.Post, $"/api/preview/oauth2apps/{app.Id}:revoke", root);
        var retry = await _host.SendAsync(HttpMethod.Post, $"/api/preview/oauth2apps/{app.Id}:revoke", root);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.Services.GetRequiredService<IOAuthGrantStore>().RevokeGrantsAsync(new OAuthGrantFilter { AppId = app.Id },
            DateTimeOffset.UtcNow, CancellationToken.None)), Is.Empty, "every grant was revoked by the retry");
        Assert.That((await _host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await new AppFlow(_host, OperatorA).RefreshAsync(app, refresh)).StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>Makes one chosen store step throw once.</summary>
    public sealed class FailOnce
    {
        public enum Failing
        {
            None,
            RevokeGrants,
            RemoveConsents,
            DeleteApp,
        }

        private int _armed;

        public void Arm(Failing step) => Volatile.Write(ref _armed, (int)step);

        public void At(Failing step)
        {
            if (Interlocked.CompareExchange(ref _armed, (int)Failing.None, (int)step) == (int)step)
            {
                throw new InvalidOperationException($"the store failed at {step} (test)");
            }
        }
    }

    private sealed class StepGrantStore(IOAuthGrantStore inner, FailOnce failures) : IOAuthGrantStore
    {
        public ValueTask<OAuthStoreResult> AddCodeAsync(AuthorizationCodeRecord code, int maxPendingPerUserAndApp, DateTimeOffset now, CancellationToken cancellationToken)
            => inner.AddCodeAsync(code, maxPendingPerUserAndApp, now, cancellationToken);

        public ValueTask<AuthorizationCodeRecord?> FindCodeAsync(string codeHash, DateTimeOffset now, CancellationToken cancellationToken)
            => inner.FindCodeAsync(codeHash, now, cancellationToken);

        public ValueTask<CodeRedemption> RedeemCodeAsync(string codeHash, string appId, DateTimeOffset now, DateTimeOffset grantExpiresAt, CancellationToken cancellationToken)
            => inner.RedeemCodeAsync(codeHash, appId, now, grantExpiresAt, cancellationToken);

        public ValueTask<OAuthGrantRecord?> FindGrantAsync(string grantId, CancellationToken cancellationToken) => inner.FindGrantAsync(grantId, cancellationToken);

        public ValueTask<OAuthStoreResult> AddRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
            => inner.AddRefreshTokenAsync(token, cancellationToken);

        public ValueTask<RefreshTokenRecord?> FindRefreshTokenAsync(string tokenHash, CancellationToken cancellationToken)
            => inner.FindRefreshTokenAsync(tokenHash, cancellationToken);

        public ValueTask<OAuthStoreResult> RotateRefreshTokenAsync(string currentHash, RefreshTokenRecord successor, DateTimeOffset now, CancellationToken cancellationToken)
            => inner.RotateRefreshTokenAsync(currentHash, successor, now, cancellationToken);

        public ValueTask<IReadOnlyList<string>> RevokeGrantsAsync(OAuthGrantFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
        {
            failures.At(FailOnce.Failing.RevokeGrants);
            return inner.RevokeGrantsAsync(filter, now, cancellationToken);
        }

        public ValueTask<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.PruneAsync(now, cancellationToken);
    }

    private sealed class StepConsentStore(IOAuthConsentStore inner, FailOnce failures) : IOAuthConsentStore
    {
        public ValueTask<IReadOnlyList<OAuthConsentRecord>> ListAsync(string userId, string? appId, CancellationToken cancellationToken)
            => inner.ListAsync(userId, appId, cancellationToken);

        public ValueTask SaveAsync(OAuthConsentRecord consent, CancellationToken cancellationToken) => inner.SaveAsync(consent, cancellationToken);

        public ValueTask<int> RemoveAsync(string? userId, string appId, CancellationToken cancellationToken)
        {
            failures.At(FailOnce.Failing.RemoveConsents);
            return inner.RemoveAsync(userId, appId, cancellationToken);
        }
    }

    private sealed class StepClientStore(IOAuthClientStore inner, FailOnce failures) : IOAuthClientStore
    {
        public ValueTask<OAuthClientRecord?> FindByIdAsync(string id, CancellationToken cancellationToken) => inner.FindByIdAsync(id, cancellationToken);

        public ValueTask<OAuthStoreResult> CreateAsync(OAuthClientRecord client, int maxClientsPerTeam, CancellationToken cancellationToken)
            => inner.CreateAsync(client, maxClientsPerTeam, cancellationToken);

        public ValueTask<OAuthStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken) => inner.RenameAsync(id, name, cancellationToken);

        public ValueTask<OAuthStoreResult> UpdateAppAsync(string id, string name, IReadOnlyList<string> allowedScopes, OAuthAppSettings settings,
            CancellationToken cancellationToken)
            => inner.UpdateAppAsync(id, name, allowedScopes, settings, cancellationToken);

        public ValueTask<OAuthStoreResult> SetStatusAsync(string id, OAuthClientStatus status, string? revokedBy, CancellationToken cancellationToken)
            => inner.SetStatusAsync(id, status, revokedBy, cancellationToken);

        public ValueTask<OAuthStoreResult> AddSecretAsync(string id, OAuthClientSecretRecord secret, CancellationToken cancellationToken)
            => inner.AddSecretAsync(id, secret, cancellationToken);

        public ValueTask<OAuthStoreResult> RemoveSecretAsync(string id, string secretId, CancellationToken cancellationToken)
            => inner.RemoveSecretAsync(id, secretId, cancellationToken);

        public ValueTask<OAuthStoreResult> ReplaceSecretHashAsync(string id, string secretId, string expectedHash, string newHash, CancellationToken cancellationToken)
            => inner.ReplaceSecretHashAsync(id, secretId, expectedHash, newHash, cancellationToken);

        public ValueTask<OAuthStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
        {
            failures.At(FailOnce.Failing.DeleteApp);
            return inner.DeleteAsync(id, cancellationToken);
        }

        public ValueTask<OAuthClientPage> ListAsync(OAuthClientQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);

        public ValueTask RecordLastUseAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUse, CancellationToken cancellationToken)
            => inner.RecordLastUseAsync(lastUse, cancellationToken);
    }
}
