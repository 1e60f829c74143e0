using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class CachingAndThrottlingTests
{
    private VezaTestHost _host = null!;
    private CountingHasher _hasher = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync(
            services => services.Replace(ServiceDescriptor.Singleton<ISecretHasher>(sp =>
                new CountingHasher(new Argon2idSecretHasher(sp.GetRequiredService<IOptionsMonitor<VezaAuthenticationOptions>>())))),
            options => options.ApiKeys.FailureLimit = 3);
        _hasher = (CountingHasher)_host.Services.GetRequiredService<ISecretHasher>();
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Argon2id_runs_once_per_key_not_once_per_request()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);

        for (var i = 0; i < 20; i++)
        {
            Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(_hasher.Verifications, Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_first_requests_with_one_new_key_share_one_Argon2id_check()
    {
        var (_, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        _hasher.Delay = TimeSpan.FromMilliseconds(300);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => _host.GetAsync("/api/me", key))));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(_hasher.Verifications, Is.EqualTo(1));
    }

    [Test]
    public async Task A_wrong_secret_does_not_reuse_the_cached_check_of_the_right_one()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _host.GetAsync("/api/me", key);

        var wrong = await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", id));

        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(_hasher.Verifications, Is.EqualTo(2));
    }

    [Test]
    public async Task Repeated_wrong_secrets_are_throttled_without_running_Argon2id()
    {
        var (id, key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
        await _host.GetAsync("/api/me", key);
        var before = _hasher.Verifications;

        for (var i = 0; i < 3; i++)
        {
            Assert.That((await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", id))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        for (var i = 0; i < 5; i++)
        {
            var throttled = await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", id));
            await ErrorAssertions.AssertErrorAsync(throttled, HttpStatusCode.TooManyRequests, 8);
            Assert.That(throttled.Headers.RetryAfter, Is.Not.Null);
        }

        Assert.That(_hasher.Verifications - before, Is.EqualTo(3));
        Assert.That((await _host.GetAsync("/api/me", key)).StatusCode, Is.EqualTo(HttpStatusCode.OK),
            "the owner's already-verified key keeps working");
    }

    [Test]
    public async Task Unknown_key_ids_are_throttled_like_known_ones_so_429_reveals_nothing()
    {
        var unknownId = ApiKeyFormat.NewKeyId();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await _host.GetAsync("/api/me", ApiKeyFormat.Generate("veza", unknownId))).StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[]
        {
            HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests,
        }));
        Assert.That(_hasher.Verifications, Is.Zero);
    }
}
