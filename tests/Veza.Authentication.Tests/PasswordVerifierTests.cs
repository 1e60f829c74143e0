using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Secrets;
using Veza.Authentication.Tests.Infrastructure;

namespace Veza.Authentication.Tests;

/// <summary>
/// <see cref="VezaPasswordVerifier"/> gives a host's own password checks the library's protections: the per-address
/// throttle, the process-wide Argon2id bound, and fingerprints that refuse wrong passwords without Argon2id.
/// </summary>
[TestFixture]
public sealed class PasswordVerifierTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("198.51.100.3");
    private static readonly IPAddress User = IPAddress.Parse("203.0.113.3");

    [Test]
    public async Task A_right_password_succeeds_and_a_wrong_one_fails_without_Argon2id()
    {
        await using var host = await VezaTestHost.StartAsync(services: CountingHasher.Register);
        var passwords = host.Services.GetRequiredService<VezaPasswordVerifier>();
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();
        var stored = await passwords.HashAsync("correct horse battery staple", CancellationToken.None);
        var fingerprints = host.Services.GetRequiredService<SecretFingerprints>();
        var wrong = Enumerable.Range(0, 100).Select(i => $"wrong-{i}").First(p => fingerprints.Check(stored, p) == FingerprintVerdict.Mismatch);

        var right = await passwords.VerifyAsync(stored, "correct horse battery staple", User, CancellationToken.None);
        var failed = await passwords.VerifyAsync(stored, wrong, User, CancellationToken.None);
        var unknownUser = await passwords.VerifyAsync(null, "anything", User, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(stored, Does.Not.Contain("correct horse"));
            Assert.That(right.Result, Is.EqualTo(VezaPasswordCheckResult.Success));
            Assert.That(right.UpgradedHash, Is.Null);
            Assert.That(failed.Result, Is.EqualTo(VezaPasswordCheckResult.Failed));
            Assert.That(unknownUser.Result, Is.EqualTo(VezaPasswordCheckResult.Failed));
            Assert.That(hasher.Verifications, Is.EqualTo(1), "only the right password ran Argon2id");
        });
    }

    [Test]
    public async Task An_address_that_keeps_failing_is_throttled_and_others_are_not()
    {
        await using var host = await VezaTestHost.StartAsync(options: o => o.SecretChecks.FailureLimitPerSource = 3);
        var passwords = host.Services.GetRequiredService<VezaPasswordVerifier>();
        var stored = await passwords.HashAsync("the-password", CancellationToken.None);

        var results = new List<VezaPasswordCheckResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add((await passwords.VerifyAsync(stored, "guess-" + i, Attacker, CancellationToken.None)).Result);
        }

        var throttledRight = await passwords.VerifyAsync(stored, "the-password", Attacker, CancellationToken.None);
        var other = await passwords.VerifyAsync(stored, "the-password", User, CancellationToken.None);

        Assert.That(results, Is.EqualTo(new[]
        {
            VezaPasswordCheckResult.Failed, VezaPasswordCheckResult.Failed, VezaPasswordCheckResult.Failed,
            VezaPasswordCheckResult.Throttled, VezaPasswordCheckResult.Throttled,
        }));
        Assert.That(throttledRight.Result, Is.EqualTo(VezaPasswordCheckResult.Throttled));
        Assert.That(throttledRight.RetryAfter, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(other.Result, Is.EqualTo(VezaPasswordCheckResult.Success));
    }

    [Test]
    public async Task Checks_wait_for_the_process_wide_bound_and_answer_busy_when_it_stays_taken()
    {
        await using var host = await VezaTestHost.StartAsync(services: CountingHasher.Register, options: o =>
        {
            o.SecretChecks.MaxConcurrentChecks = 1;
            o.SecretChecks.QueueTimeout = TimeSpan.FromMilliseconds(50);
        });
        var passwords = host.Services.GetRequiredService<VezaPasswordVerifier>();
        var hasher = (CountingHasher)host.Services.GetRequiredService<ISecretHasher>();
        var stored = await passwords.HashAsync("the-password", CancellationToken.None);
        hasher.Hold();

        var held = passwords.VerifyAsync(stored, "the-password", User, CancellationToken.None).AsTask();
        await hasher.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var busy = await passwords.VerifyAsync(stored, "the-password", Attacker, CancellationToken.None);
        hasher.Release();

        Assert.That(busy.Result, Is.EqualTo(VezaPasswordCheckResult.Busy));
        Assert.That((await held).Result, Is.EqualTo(VezaPasswordCheckResult.Success));
        Assert.That(hasher.MaxConcurrent, Is.EqualTo(1));
    }

    [Test]
    public async Task A_plain_hash_from_before_succeeds_and_comes_back_with_a_fingerprint_to_store()
    {
        await using var host = await VezaTestHost.StartAsync();
        var passwords = host.Services.GetRequiredService<VezaPasswordVerifier>();
        var plain = host.Services.GetRequiredService<ISecretHasher>().Hash("the-password");

        var check = await passwords.VerifyAsync(plain, "the-password", User, CancellationToken.None);

        Assert.That(check.Result, Is.EqualTo(VezaPasswordCheckResult.Success));
        Assert.That(check.UpgradedHash, Does.StartWith(SecretFingerprints.Header).And.EndWith(plain));
    }
}
