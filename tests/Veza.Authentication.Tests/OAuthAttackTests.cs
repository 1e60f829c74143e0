using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>The token endpoint and the resource side attacked: floods of wrong secrets, a revoke while a check is in
/// flight, and stores that fail.</summary>
[TestFixture]
public sealed class OAuthAttackTests
{
    private static readonly KeyValuePair<string, string> Grant = new("grant_type", "client_credentials");

    [Test]
    public async Task A_flood_of_wrong_secrets_slows_its_source_only_and_never_a_verified_client()
    {
        await using var host = await VezaTestHost.StartAsync(services: CountingHasher.Register, options: o => o.SecretChecks.FailureLimitPerSource = 5);
        await host.SwitchOAuth2Async(true);
        var victim = await host.CreateClientAsync(TeamA);
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();
        Assert.That((await host.PostFormAsync("/oauth2/token", [Grant], victim, clientIp: "203.0.113.9")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = hasher.Verifications;

        var wrongSecrets = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            wrongSecrets.Add(await WrongSecrets.ClientSecretAsync(host, victim.Id));
        }

        var flood = await Task.WhenAll(wrongSecrets.Select(secret =>
            host.PostFormAsync("/oauth2/token", [Grant], (victim.Id, secret), clientIp: "198.51.100.66")));
        var victimFromElsewhere = await host.PostFormAsync("/oauth2/token", [Grant], victim, clientIp: "203.0.113.10");
        var victimFromTheFloodingAddress = await host.PostFormAsync("/oauth2/token", [Grant], victim, clientIp: "198.51.100.66");

        Assert.Multiple(() =>
        {
            Assert.That(flood.Count(r => r.StatusCode == (HttpStatusCode)429), Is.GreaterThanOrEqualTo(35));
            Assert.That(flood.Select(r => r.StatusCode), Is.All.AnyOf(HttpStatusCode.Unauthorized, (HttpStatusCode)429));
            Assert.That(hasher.Verifications - before, Is.Zero, "the secrets' fingerprints refuse them without Argon2id");
            Assert.That(victimFromElsewhere.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(victimFromTheFloodingAddress.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a verified secret is never refused for others' failures");
        });
    }

    [Test]
    public async Task Guessing_public_app_ids_from_one_address_is_throttled_and_a_real_public_app_elsewhere_is_not()
    {
        await using var host = await StartAsync(options: o => o.SecretChecks.FailureLimitPerSource = 5);
        await host.SwitchOAuth2Async(true);
        var app = await AppFlow.CreateAppAsync(host, isPublic: true);
        var confidential = await AppFlow.CreateAppAsync(host);
        var flow = new AppFlow(host, OperatorA);
        var code = await flow.AuthorizeAsync(app.Id);
        List<KeyValuePair<string, string>> Guess(string id) => [new("grant_type", "refresh_token"), new("refresh_token", "x"), new("client_id", id)];

        var guesses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            guesses.Add(await host.PostFormAsync("/oauth2/token", Guess(i % 2 == 0 ? $"guess-{i}" : confidential.Id), clientIp: "203.0.113.9"));
        }

        var fromElsewhere = await host.PostFormAsync("/oauth2/token",
            [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", AppFlow.RedirectUri), new("code_verifier", flow.Verifier), new("client_id", app.Id)],
            clientIp: "198.51.100.4");

        Assert.That(guesses.Take(5).Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Unauthorized), "unknown ids and a confidential app without its secret");
        Assert.That(guesses.Skip(5).Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(fromElsewhere.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_token_got_by_a_check_that_was_in_flight_during_a_revoke_is_refused()
    {
        await using var host = await VezaTestHost.StartAsync(services: CountingHasher.Register);
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();
        hasher.Hold();

        var inFlight = host.PostFormAsync("/oauth2/token", [Grant], client);
        await hasher.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.Clients.RevokeAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var afterRevoke = host.PostFormAsync("/oauth2/token", [Grant], client);
        hasher.Release();
        var first = await inFlight;
        var second = await afterRevoke;

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a request that starts after the revoke never joins the earlier check");
        if (first.StatusCode == HttpStatusCode.OK)
        {
            var token = (await JsonAsync(first)).GetProperty("access_token").GetString();
            Assert.That((await host.GetAsync("/api/me", token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "its token is refused");
        }
    }

    [Test]
    public async Task A_client_store_that_fails_gives_503_at_the_token_endpoint_and_at_the_api()
    {
        var clients = new FailingClientStore();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await VezaTestHost.StartAsync(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<IOAuthClientStore>(clients));
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        });
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);
        var token = await host.GetTokenAsync(client);
        host.Services.GetRequiredService<Veza.Authentication.OAuth2.ClientSecretVerifier>().Evict(client.Id);

        clients.Fail = true;
        // The client's state, remembered for the refresh interval, must be read from the failing store again.
        time.Advance(TimeSpan.FromSeconds(6));
        var tokenRequest = await host.PostFormAsync("/oauth2/token", [Grant], client);
        var call = await host.GetAsync("/api/me", token);
        var json = await JsonAsync(tokenRequest);

        Assert.Multiple(() =>
        {
            Assert.That(tokenRequest.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
            Assert.That(tokenRequest.Headers.RetryAfter, Is.Not.Null);
            Assert.That(call.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "fail closed: never access");
        });
    }

    [Test]
    public async Task A_settings_store_that_cannot_be_read_keeps_the_server_closed()
    {
        await using var host = await VezaTestHost.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IVezaSettingsStore, FailingSettingsStore>()));

        var metadata = await host.Client.GetAsync("/.well-known/oauth-authorization-server");
        var token = await host.PostFormAsync("/oauth2/token", [Grant], ("someone", new string('s', 40)));
        var (_, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var withKey = await host.GetAsync("/api/me", key);

        Assert.That(metadata.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(withKey.StatusCode, Is.EqualTo(HttpStatusCode.OK), "API keys do not depend on the OAuth2 stores");
    }

    private sealed class FailingClientStore : IOAuthClientStore
    {
        private readonly InMemoryOAuthClientStore _inner = new(new InMemoryChangeFeed());

        public volatile bool Fail;

        private void ThrowIfFailing()
        {
            if (Fail)
            {
                throw new InvalidOperationException("client store is down (test)");
            }
        }

        public ValueTask<OAuthClientRecord?> FindByIdAsync(string id, CancellationToken cancellationToken)
            => Fail ? throw new InvalidOperationException("client store is down (test)") : _inner.FindByIdAsync(id, cancellationToken);

        public ValueTask<OAuthStoreResult> CreateAsync(OAuthClientRecord client, int maxClientsPerTeam, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.CreateAsync(client, maxClientsPerTeam, cancellationToken);
        }

        public ValueTask<OAuthStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.RenameAsync(id, name, cancellationToken);
        }

        public ValueTask<OAuthStoreResult> UpdateAppAsync(string id, string name, IReadOnlyList<string> allowedScopes, OAuthAppSettings settings,
            CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.UpdateAppAsync(id, name, allowedScopes, settings, cancellationToken);
        }

        public ValueTask<OAuthStoreResult> SetStatusAsync(string id, OAuthClientStatus status, string? revokedBy, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.SetStatusAsync(id, status, revokedBy, cancellationToken);
        }

        public ValueTask<OAuthStoreResult> AddSecretAsync(string id, OAuthClientSecretRecord secret, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.AddSecretAsync(id, secret, cancellationToken);
        }

        public ValueTask<OAuthStoreResult> RemoveSecretAsync(string id, string secretId, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.RemoveSecretAsync(id, secretId, cancellationToken);
        }

        public ValueTask<OAuthStoreResult> ReplaceSecretHashAsync(string id, string secretId, string expectedHash, string newHash, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.ReplaceSecretHashAsync(id, secretId, expectedHash, newHash, cancellationToken);
        }

        public ValueTask<OAuthStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.DeleteAsync(id, cancellationToken);
        }

        public ValueTask<OAuthClientPage> ListAsync(OAuthClientQuery query, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.ListAsync(query, cancellationToken);
        }

        public ValueTask RecordLastUseAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUse, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return _inner.RecordLastUseAsync(lastUse, cancellationToken);
        }
    }

    private sealed class FailingSettingsStore : IVezaSettingsStore
    {
        public ValueTask<VezaSignInSettings> GetAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("settings store is down (test)");

        public ValueTask<OAuthStoreResult> UpdateAsync(VezaSignInSettings settings, long expectedVersion, CancellationToken cancellationToken)
            => throw new InvalidOperationException("settings store is down (test)");
    }
}
