using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// Wrong secrets cost microseconds, not an Argon2id run: a short keyed fingerprint beside each hash refuses them, so no
/// flood, from however many addresses, can fill the Argon2id slots that a legitimate first use needs.
/// </summary>
[TestFixture]
public sealed class SecretFingerprintTests
{
    private static readonly KeyValuePair<string, string> Grant = new("grant_type", "client_credentials");

    [Test]
    public async Task A_wrong_secret_for_a_known_key_is_refused_without_running_Argon2id()
    {
        await using var host = await StartAsync(services: CountingHasher.Register);
        var (id, key) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();

        var wrong = await host.GetAsync("/api/me", await WrongSecrets.KeyAsync(host, id));
        var right = await host.GetAsync("/api/me", key);

        Assert.Multiple(() =>
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(hasher.Verifications, Is.EqualTo(1), "only the right secret ran Argon2id");
        });
    }

    [Test]
    public async Task A_lucky_guess_whose_fingerprint_matches_runs_Argon2id_and_is_still_refused()
    {
        await using var host = await StartAsync(services: CountingHasher.Register);
        var (id, _) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();

        var lucky = await host.GetAsync("/api/me", await WrongSecrets.LuckyKeyAsync(host, id));

        Assert.That(lucky.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(hasher.Verifications, Is.EqualTo(1));
    }

    [Test]
    public async Task A_wrong_client_secret_for_a_known_client_id_costs_what_an_unknown_id_costs()
    {
        await using var host = await StartAsync(services: CountingHasher.Register);
        await host.SwitchOAuth2Async(true);
        var client = await host.CreateClientAsync(TeamA);
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();

        var knownId = await host.PostFormAsync("/oauth2/token", [Grant], (client.Id, await WrongSecrets.ClientSecretAsync(host, client.Id)));
        var unknownId = await host.PostFormAsync("/oauth2/token", [Grant], ("no-such-client", await WrongSecrets.ClientSecretAsync(host, client.Id)));

        Assert.Multiple(() =>
        {
            Assert.That(knownId.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(unknownId.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(hasher.Verifications, Is.Zero, "neither ran Argon2id, so the two cannot be told apart by time");
        });
    }

    [Test]
    public async Task A_flood_of_wrong_secrets_from_250_addresses_never_keeps_a_legitimate_first_use_out()
    {
        // One Argon2id slot, each run held 20 ms: before fingerprints, 250 addresses x 4 wrong secrets kept the slot
        // queue full and first uses of fresh keys got 503.
        await using var host = await StartAsync(services: CountingHasher.Register, options: o =>
        {
            o.SecretChecks.MaxConcurrentChecks = 1;
            o.SecretChecks.QueueTimeout = TimeSpan.FromMilliseconds(200);
            o.SecretChecks.FailureLimitPerSource = 4;
        });
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();
        var (targetId, _) = await host.CreatePersonalKeyAsync(AdminA, TeamA);
        var wrongKeys = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            wrongKeys.Add(await WrongSecrets.KeyAsync(host, targetId));
        }

        hasher.Delay = TimeSpan.FromMilliseconds(20);
        var flood = wrongKeys.Select((key, i) => host.GetAsync("/api/me", key, $"10.0.1.{i % 250}")).ToList();
        var legitimate = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            var (_, fresh) = await host.CreatePersonalKeyAsync(ViewerA, TeamA);
            legitimate.Add((await host.GetAsync("/api/me", fresh, "203.0.113.50")).StatusCode);
        }

        var floodStatuses = (await Task.WhenAll(flood)).Select(r => r.StatusCode).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(legitimate, Is.All.EqualTo(HttpStatusCode.OK), "every first use succeeds");
            Assert.That(floodStatuses, Is.All.EqualTo(HttpStatusCode.Unauthorized), "each address stays within its own limit");
            Assert.That(hasher.Verifications, Is.EqualTo(8), "Argon2id ran for the legitimate first uses only");
        });
    }

    [Test]
    public async Task A_hash_stored_without_a_fingerprint_keeps_working_and_gains_one_on_its_next_successful_check()
    {
        await using var host = await StartAsync(services: CountingHasher.Register);
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();
        var store = host.Services.GetRequiredService<IApiKeyStore>();
        var key = ApiKeyFormat.Generate();
        ApiKeyFormat.TryParse(key, ApiKeyFormat.DefaultPrefix, out var id, out var secret);
        var plain = hasher.Hash(secret);
        await store.CreateAsync(new ApiKeyRecord
        {
            Id = id, Kind = ApiKeyKind.Personal, Name = "from an older version", TeamId = TeamA, OwnerUserId = ViewerA, SecretHash = plain,
            Status = ApiKeyStatus.Active, CreatedAt = DateTimeOffset.UtcNow, LastAccessAt = DateTimeOffset.UtcNow,
        }, null, CancellationToken.None);

        Assert.That((await host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var upgraded = await EventuallyStoredAsync(store, id, s => s != plain);

        Assert.Multiple(() =>
        {
            Assert.That(upgraded, Does.StartWith(SecretFingerprints.Header));
            Assert.That(SecretFingerprints.HasherPart(upgraded, out _, out _), Is.EqualTo(plain), "the Argon2id hash itself is kept");
        });
        var before = hasher.Verifications;
        Assert.That((await host.GetAsync("/api/me", await WrongSecrets.KeyAsync(host, id))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(hasher.Verifications, Is.EqualTo(before), "from now on a wrong secret is refused by the fingerprint");
    }

    [Test]
    public async Task A_fingerprint_under_a_key_this_instance_does_not_hold_falls_back_to_Argon2id_and_is_replaced()
    {
        await using var host = await StartAsync(services: CountingHasher.Register);
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();
        var store = host.Services.GetRequiredService<IApiKeyStore>();
        var key = ApiKeyFormat.Generate();
        ApiKeyFormat.TryParse(key, ApiKeyFormat.DefaultPrefix, out var id, out var secret);
        // Made by an instance whose key ring this one does not share; its fingerprint would refuse the right secret here.
        var foreign = SecretFingerprints.Header + new string('0', 32) + ",f=0000;" + hasher.Hash(secret);
        await store.CreateAsync(new ApiKeyRecord
        {
            Id = id, Kind = ApiKeyKind.Personal, Name = "made elsewhere", TeamId = TeamA, OwnerUserId = ViewerA, SecretHash = foreign,
            Status = ApiKeyStatus.Active, CreatedAt = DateTimeOffset.UtcNow, LastAccessAt = DateTimeOffset.UtcNow,
        }, null, CancellationToken.None);

        var response = await host.GetAsync("/api/me", key);
        var replaced = await EventuallyStoredAsync(store, id, s => s != foreign);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "never refused for a key this instance lacks");
            Assert.That(hasher.Verifications, Is.EqualTo(1));
            Assert.That(replaced, Does.StartWith(SecretFingerprints.Header).And.Not.Contains(new string('0', 32)));
        });
    }

    [Test]
    public async Task Fingerprints_made_from_the_Data_Protection_key_ring_hold_across_instances_and_restarts()
    {
        var ring = Directory.CreateTempSubdirectory("veza-dp-").FullName;
        try
        {
            void SharedRing(IServiceCollection services)
            {
                CountingHasher.Register(services);
                services.AddDataProtection().SetApplicationName("veza-tests").PersistKeysToFileSystem(new DirectoryInfo(ring));
            }

            string id, key, stored;
            await using (var first = await StartAsync(services: SharedRing))
            {
                (id, key) = await first.CreatePersonalKeyAsync(ViewerA, TeamA);
                stored = (await first.Services.GetRequiredService<IApiKeyStore>().FindByIdAsync(id, CancellationToken.None))!.SecretHash;
            }

            // A second instance (or the first one restarted) that shares the key ring and reads the same stored record.
            await using var second = await StartAsync(services: SharedRing);
            await second.Services.GetRequiredService<IApiKeyStore>().CreateAsync(new ApiKeyRecord
            {
                Id = id, Kind = ApiKeyKind.Personal, Name = "shared", TeamId = TeamA, OwnerUserId = ViewerA, Status = ApiKeyStatus.Active,
                SecretHash = stored, CreatedAt = DateTimeOffset.UtcNow, LastAccessAt = DateTimeOffset.UtcNow,
            }, null, CancellationToken.None);
            var hasher = (CountingHasher)second.Services.GetRequiredService<ISecretHasher>();

            var wrong = await second.GetAsync("/api/me", await WrongSecrets.KeyAsync(second, id));
            var right = await second.GetAsync("/api/me", key);

            Assert.Multiple(() =>
            {
                Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(hasher.Verifications, Is.EqualTo(1), "the other instance's fingerprint refused the wrong secret here");
            });
        }
        finally
        {
            Directory.Delete(ring, recursive: true);
        }
    }

    [Test]
    public async Task A_configured_fingerprint_key_is_used_instead_of_the_key_ring()
    {
        var configured = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var first = await StartAsync(options: o => o.SecretChecks.FingerprintKey = configured);
        await using var second = await StartAsync(options: o => o.SecretChecks.FingerprintKey = configured);
        var a = first.Services.GetRequiredService<SecretFingerprints>().Attach("$argon2id$x", "a-secret");
        var b = second.Services.GetRequiredService<SecretFingerprints>().Attach("$argon2id$x", "a-secret");

        Assert.That(a, Is.EqualTo(b).And.StartWith(SecretFingerprints.Header));
        Assert.That(second.Services.GetRequiredService<SecretFingerprints>().Check(a, "another-secret"),
            Is.AnyOf(FingerprintVerdict.Mismatch, FingerprintVerdict.Match));
        Assert.That(second.Services.GetRequiredService<SecretFingerprints>().Check(a, "a-secret"), Is.EqualTo(FingerprintVerdict.Match));
    }

    private static Task<string> EventuallyStoredAsync(IApiKeyStore store, string id, Func<string, bool> condition)
        => Eventually.ValueAsync(async () => (await store.FindByIdAsync(id, CancellationToken.None))!.SecretHash, condition);
}
