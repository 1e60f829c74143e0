using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>
/// What a flood of first-time or wrong secrets can make the server spend: checks are remembered, run a few at a time,
/// and an address that keeps failing is slowed before any check runs, without ever refusing somebody else's key.
/// </summary>
[TestFixture]
public sealed class CachingAndThrottlingTests
{
    private const string Attacker = "198.51.100.66";
    private const string Victim = "203.0.113.10";
    private VezaTestHost? _host;
    private CountingHasher _hasher = null!;

    [TearDown]
    public async Task StopAsync()
    {
        _hasher?.Release();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Test]
    public async Task Argon2id_runs_once_per_key_not_once_per_request()
    {
        await StartAsync();
        var (_, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);

        for (var i = 0; i < 20; i++)
        {
            Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(_hasher.Verifications, Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_first_requests_with_one_new_key_share_one_Argon2id_check()
    {
        await StartAsync();
        var (_, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        _hasher.Hold();

        var pending = Enumerable.Range(0, 16).Select(_ => _host.GetAsync("/api/me", key)).ToArray();
        await _hasher.Started.Task;
        _hasher.Release();
        var responses = await Task.WhenAll(pending);

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(_hasher.Verifications, Is.EqualTo(1));
    }

    [Test]
    public async Task The_check_cache_stays_within_its_bound_however_many_distinct_keys_are_used()
    {
        await StartAsync(o =>
        {
            o.Stores.MaxCachedCredentials = 100;
            o.ApiKeys.MaxTeamKeysPerTeam = 400;
        });
        var keys = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            keys.Add((await _host!.CreateTeamKeyAsync(TeamA)).Key);
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var key in keys)
        {
            statuses.Add((await _host!.GetAsync("/api/me", key)).StatusCode);
        }

        var verifier = _host!.Services.GetRequiredService<Veza.Authentication.ApiKeys.ApiKeyVerifier>();
        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(verifier.CachedChecks, Is.LessThanOrEqualTo(110), "the bound and a tenth of it between sweeps");
        Assert.That(_hasher.Verifications, Is.EqualTo(300));
        Assert.That((await _host.GetAsync("/api/me", keys[0])).StatusCode, Is.EqualTo(HttpStatusCode.OK), "a key dropped from the cache is checked again");
    }

    [Test]
    public async Task A_wrong_secret_does_not_reuse_the_cached_check_of_the_right_one()
    {
        await StartAsync();
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _host.GetAsync("/api/me", key);

        // A wrong secret whose fingerprint happens to match: it reaches Argon2id, which must not take the cached success.
        var wrong = await _host.GetAsync("/api/me", await WrongSecrets.LuckyKeyAsync(_host, id));

        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_hasher.Verifications, Is.EqualTo(2));
    }

    [Test]
    public async Task Concurrent_wrong_secrets_from_one_address_run_no_more_checks_than_its_limit()
    {
        await StartAsync(o => o.SecretChecks.FailureLimitPerSource = 1);
        var (id, _) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        // Wrong secrets that pass the fingerprint, so each would be an Argon2id run.
        var lucky = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            lucky.Add(await WrongSecrets.LuckyKeyAsync(_host, id));
        }

        _hasher.Hold();
        var pending = lucky.Select(key => _host.GetAsync("/api/me", key, Attacker)).ToList();
        await _hasher.Started.Task;
        // Every other request is answered while the first check is still held: the permit was counted when it started.
        var answered = new List<Task<HttpResponseMessage>>();
        while (answered.Count < pending.Count - 1)
        {
            var done = await Task.WhenAny(pending.Except(answered)).WaitAsync(TimeSpan.FromSeconds(30));
            answered.Add(done);
        }

        _hasher.Release();
        var statuses = (await Task.WhenAll(pending)).Select(r => r.StatusCode).ToList();

        Assert.That(_hasher.Verifications, Is.EqualTo(1));
        Assert.That(statuses.Count(s => s == HttpStatusCode.Unauthorized), Is.EqualTo(1));
        Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.EqualTo(11));
    }

    [Test]
    public async Task Argon2id_runs_never_exceed_the_process_wide_bound_whatever_the_addresses()
    {
        await StartAsync(o =>
        {
            o.SecretChecks.MaxConcurrentChecks = 2;
            o.SecretChecks.QueueTimeout = TimeSpan.FromSeconds(30);
        });
        var (id, _) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        var lucky = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            lucky.Add(await WrongSecrets.LuckyKeyAsync(_host, id));
        }

        _hasher.Delay = TimeSpan.FromMilliseconds(50);

        var responses = await Task.WhenAll(lucky.Select((key, i) => _host.GetAsync("/api/me", key, $"192.0.2.{i + 1}")));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_hasher.Verifications, Is.EqualTo(24));
        Assert.That(_hasher.MaxConcurrent, Is.EqualTo(2));
    }

    [Test]
    public async Task A_check_that_finds_every_slot_taken_for_too_long_answers_503_with_retry_after()
    {
        await StartAsync(o =>
        {
            o.SecretChecks.MaxConcurrentChecks = 1;
            o.SecretChecks.QueueTimeout = TimeSpan.FromMilliseconds(100);
        });
        var (_, first) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (_, second) = await _host.CreatePersonalKeyAsync(OperatorA, TeamA);
        _hasher.Hold();
        var held = _host.GetAsync("/api/me", first);
        await _hasher.Started.Task;

        var busy = await _host.GetAsync("/api/me", second, Victim);

        await ErrorAssertions.AssertErrorAsync(busy, HttpStatusCode.ServiceUnavailable, 14, "SECRET_CHECKS_SATURATED");
        Assert.That(busy.Headers.RetryAfter, Is.Not.Null);
        _hasher.Release();
        Assert.That((await held).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.GetAsync("/api/me", second, Victim)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "a busy answer is not a failure");
    }

    [Test]
    public async Task A_revoked_key_with_its_right_secret_is_refused_without_Argon2id_and_counted_until_reinstated()
    {
        await StartAsync(o => o.SecretChecks.FailureLimitPerSource = 3);
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        Assert.That((await _host.GetAsync("/api/me", key, Attacker)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await _host.RevokeAsync(id);
        var before = _hasher.Verifications;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await _host.GetAsync("/api/me", key, Attacker)).StatusCode);
        }

        Assert.That(_hasher.Verifications, Is.EqualTo(before), "no Argon2id for a revoked key");
        Assert.That(statuses, Is.EqualTo(new[]
        {
            HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests,
        }), "refusals of a revoked key count against the address");

        await _host.ReinstateAsync(id);
        Assert.That((await _host.GetAsync("/api/me", key, Victim)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "reinstating forgets the refusal");
    }

    [Test]
    public async Task Revoked_and_deleted_keys_are_both_refused_without_Argon2id()
    {
        await StartAsync();
        var (revokedId, revoked) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);
        var (deletedId, deleted) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _host.RevokeAsync(revokedId);
        await _host.Keys.DeleteAsync(deletedId, VezaCaller.Host, CancellationToken.None);

        Assert.That((await _host.GetAsync("/api/me", revoked)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await _host.GetAsync("/api/me", deleted)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_hasher.Verifications, Is.Zero);
    }

    [Test]
    public async Task Wrong_secrets_for_a_victims_key_id_never_lock_the_victim_out()
    {
        await StartAsync(o => o.SecretChecks.FailureLimitPerSource = 3);
        var (id, key) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);

        var attack = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            attack.Add((await _host.GetAsync("/anonymous", ApiKeyFormat.Generate("veza", id), Attacker)).StatusCode);
            attack.Add((await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", id), Attacker)).StatusCode);
        }

        Assert.That(attack, Does.Contain(HttpStatusCode.TooManyRequests), "the attacker is slowed");
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await _host.GetAsync("/api/me", key, Victim)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the key's holder is not");
        }
    }

    [Test]
    public async Task An_address_that_keeps_failing_is_slowed_across_key_ids_without_more_Argon2id()
    {
        await StartAsync(o => o.SecretChecks.FailureLimitPerSource = 3);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await _host!.CreatePersonalKeyAsync(ViewerA, TeamA)).Id);
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var id in ids)
        {
            statuses.Add((await _host!.GetAsync("/api/me", await WrongSecrets.KeyAsync(_host, id), Attacker)).StatusCode);
        }

        Assert.That(statuses.Take(3), Is.All.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(statuses.Skip(3), Is.All.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(_hasher.Verifications, Is.Zero, "the fingerprints refused the wrong secrets, and they still counted");
    }

    [Test]
    public async Task Unknown_key_ids_count_as_failures_so_a_429_reveals_nothing()
    {
        await StartAsync(o => o.SecretChecks.FailureLimitPerSource = 3);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await _host!.GetAsync("/api/me", ApiKeyFormat.Generate("veza", ApiKeyFormat.NewKeyId()))).StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[]
        {
            HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests,
        }));
        Assert.That(_hasher.Verifications, Is.Zero);
    }

    [Test]
    public async Task The_failure_window_follows_the_time_provider()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await StartAsync(o => o.SecretChecks.FailureLimitPerSource = 1, time);
        var (id, _) = await _host!.CreatePersonalKeyAsync(ViewerA, TeamA);

        Assert.That((await _host.GetAsync("/api/me", await WrongSecrets.KeyAsync(_host, id), Attacker)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var throttled = await _host.GetAsync("/api/me", await WrongSecrets.KeyAsync(_host, id), Attacker);
        await ErrorAssertions.AssertErrorAsync(throttled, HttpStatusCode.TooManyRequests, 8);
        Assert.That(throttled.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(60)));

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.That((await _host.GetAsync("/api/me", await WrongSecrets.KeyAsync(_host, id), Attacker)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await _host.GetAsync("/api/me", await WrongSecrets.KeyAsync(_host, id), Attacker)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private async Task StartAsync(Action<VezaAuthenticationOptions>? options = null, TimeProvider? time = null)
    {
        _host = await VezaTestHost.StartAsync(
            services =>
            {
                CountingHasher.Register(services);
                if (time is not null)
                {
                    services.Replace(ServiceDescriptor.Singleton(time));
                }
            },
            options);
        _hasher = (CountingHasher)_host.Services.GetRequiredService<ISecretHasher>();
    }
}
