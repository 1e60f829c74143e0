using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// Two instances sharing their stores and their Data Protection key ring, as several instances behind a load balancer
/// share a database: each accepts the other's tokens, and sees the other's revocations and switch within the refresh
/// interval.
/// </summary>
[TestFixture]
public sealed class SeveralInstancesTests
{
    private string _keyRing = null!;
    private InMemoryChangeFeed _changes = null!;

    [SetUp]
    public void CreateKeyRingAndFeed()
    {
        _keyRing = Directory.CreateTempSubdirectory("veza-keys-").FullName;
        _changes = new InMemoryChangeFeed();
    }

    [TearDown]
    public void DeleteKeyRing() => Directory.Delete(_keyRing, recursive: true);

    private Task<VezaTestHost> StartInstanceAsync(IOAuthClientStore clients, ISigningKeyStore keys, ITokenRevocationStore revocations, IVezaSettingsStore settings,
        TimeProvider? time = null, Action<Veza.Authentication.Hosting.VezaAuthenticationOptions>? options = null)
        => VezaTestHost.StartAsync(
            services: s =>
            {
                if (time is not null)
                {
                    s.Replace(ServiceDescriptor.Singleton(time));
                }

                s.Replace(ServiceDescriptor.Singleton(_changes));
                s.Replace(ServiceDescriptor.Singleton(clients));
                s.Replace(ServiceDescriptor.Singleton(keys));
                s.Replace(ServiceDescriptor.Singleton(revocations));
                s.Replace(ServiceDescriptor.Singleton(settings));
                s.AddDataProtection().SetApplicationName("veza-tests").PersistKeysToFileSystem(new DirectoryInfo(_keyRing));
            },
            options: options ?? (o => o.Stores.ChangePollInterval = TimeSpan.FromMilliseconds(200)));

    [Test]
    public async Task Two_instances_creating_keys_at_once_never_exceed_the_key_quota_together()
    {
        var store = new InMemoryApiKeyStore(_changes);
        void Shared(Microsoft.Extensions.DependencyInjection.IServiceCollection s)
        {
            s.Replace(ServiceDescriptor.Singleton(_changes));
            s.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(store));
        }

        await using var a = await VezaTestHost.StartAsync(services: Shared, options: o => o.ApiKeys.MaxPersonalKeysPerUserAndTeam = 5);
        await using var b = await VezaTestHost.StartAsync(services: Shared, options: o => o.ApiKeys.MaxPersonalKeysPerUserAndTeam = 5);

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
            (await (i % 2 == 0 ? a : b).Keys.CreateAsync(new ApiKeys.ApiKeyDraft { Kind = Veza.Authentication.Stores.ApiKeyKind.Personal, Name = $"key-{i}", TeamId = TeamA, OwnerUserId = ViewerA },
                VezaCaller.Host, CancellationToken.None)).Result)));
        var held = await store.ListAsync(new ApiKeyQuery { TeamId = TeamA, OwnerUserId = ViewerA, PageSize = 100 }, CancellationToken.None);

        Assert.That(results.Count(r => r == ApiKeys.ApiKeyResult.Success), Is.EqualTo(5));
        Assert.That(held.Items, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task Instances_sharing_stores_accept_each_others_tokens_and_follow_each_others_changes()
    {
        var clients = new InMemoryOAuthClientStore(_changes);
        var keys = new InMemorySigningKeyStore(_changes);
        var revocations = new InMemoryTokenRevocationStore(_changes);
        var settings = new InMemorySettingsStore(_changes);
        await using var a = await StartInstanceAsync(clients, keys, revocations, settings);
        await using var b = await StartInstanceAsync(clients, keys, revocations, settings);
        await a.SwitchOAuth2Async(true);
        var client = await a.CreateClientAsync(TeamA);

        var fromA = await a.GetTokenAsync(client);
        var fromB = await b.GetTokenAsync(client);
        var aAcceptsB = (await Eventually.StatusAsync(async () => (await a.GetAsync("/api/me", fromB)).StatusCode, HttpStatusCode.OK));
        var bAcceptsA = (await Eventually.StatusAsync(async () => (await b.GetAsync("/api/me", fromA)).StatusCode, HttpStatusCode.OK));

        await a.PostFormAsync("/oauth2/revoke", [new("token", fromA)], client);
        var revokedSeenByB = await Eventually.StatusAsync(async () => (await b.GetAsync("/api/me", fromA)).StatusCode, HttpStatusCode.Unauthorized);

        await a.Clients.RevokeAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var clientRevokedSeenByB = await Eventually.StatusAsync(async () => (await b.GetAsync("/api/me", fromB)).StatusCode, HttpStatusCode.Unauthorized);
        await a.Clients.ReinstateAsync(client.Id, VezaCaller.Host, CancellationToken.None);
        var reinstatedSeenByB = await Eventually.StatusAsync(async () => (await b.GetAsync("/api/me", fromB)).StatusCode, HttpStatusCode.OK);

        await a.SwitchOAuth2Async(false);
        var offSeenByB = await Eventually.StatusAsync(async () => (await b.Client.GetAsync("/oauth2/jwks")).StatusCode, HttpStatusCode.NotFound);

        Assert.Multiple(async () =>
        {
            Assert.That(aAcceptsB, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bAcceptsA, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await keys.ListAsync(CancellationToken.None), Has.Count.EqualTo(1), "one signing key for both instances");
            Assert.That(revokedSeenByB, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(clientRevokedSeenByB, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(reinstatedSeenByB, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(offSeenByB, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task A_token_signed_by_a_key_another_instance_just_made_is_accepted_at_once()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var clients = new InMemoryOAuthClientStore(_changes);
        var keys = new InMemorySigningKeyStore(_changes);
        var revocations = new InMemoryTokenRevocationStore(_changes);
        var settings = new InMemorySettingsStore(_changes);
        void Slow(Veza.Authentication.Hosting.VezaAuthenticationOptions o)
        {
            o.Stores.ChangePollInterval = TimeSpan.FromMinutes(1);
            o.Stores.MaxChangeLag = TimeSpan.FromMinutes(10);
            o.OAuth2.SigningKeyLifetime = TimeSpan.FromMinutes(1);
            o.OAuth2.SigningKeyAnnouncement = TimeSpan.Zero;
        }

        await using var a = await StartInstanceAsync(clients, keys, revocations, settings, time, Slow);
        await using var b = await StartInstanceAsync(clients, keys, revocations, settings, time, Slow);
        await a.SwitchOAuth2Async(true);
        var client = await a.CreateClientAsync(TeamA);
        var first = await b.Services.GetRequiredService<Veza.Authentication.OAuth2.Tokens.SigningKeyRing>().GetAsync(CancellationToken.None);

        // B knows only the first key; after it retires, A makes the next one and signs with it.
        time.Advance(TimeSpan.FromMinutes(2));
        var token = await a.GetTokenAsync(client);
        var kid = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Kid;

        var atB = await b.GetAsync("/api/me", token);

        Assert.That(kid, Is.Not.EqualTo(first.Signing.Key.KeyId));
        Assert.That(atB.StatusCode, Is.EqualTo(HttpStatusCode.OK), "an unknown key id makes the instance read the keys again");
    }
}
