using Microsoft.Extensions.Options;
using Moq;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class Argon2idSecretHasherTests
{
    private static Argon2idSecretHasher HasherWith(VezaAuthenticationOptions options)
        => new(Mock.Of<IOptionsMonitor<VezaAuthenticationOptions>>(m => m.CurrentValue == options));

    [Test]
    public void Default_parameters_are_at_least_the_recommended_minimum()
    {
        var defaults = new VezaAuthenticationOptions().Argon2id;
        Assert.Multiple(() =>
        {
            Assert.That(defaults.MemorySizeKiB, Is.GreaterThanOrEqualTo(19456));
            Assert.That(defaults.Iterations, Is.GreaterThanOrEqualTo(2));
            Assert.That(defaults.Parallelism, Is.GreaterThanOrEqualTo(1));
        });
    }

    [Test]
    public void Hash_is_a_phc_string_carrying_its_parameters()
    {
        var hash = HasherWith(new VezaAuthenticationOptions()).Hash("s3cret");
        Assert.That(hash, Does.Match(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$"));
    }

    [Test]
    public async Task Right_secret_verifies_and_wrong_secret_does_not()
    {
        var hasher = HasherWith(new VezaAuthenticationOptions());
        var hash = hasher.Hash("correct horse");
        Assert.That(await Verify(hasher, hash, "correct horse"), Is.EqualTo(SecretVerificationResult.Success));
        Assert.That(await Verify(hasher, hash, "correct horsf"), Is.EqualTo(SecretVerificationResult.Failed));
    }

    [Test]
    public void Same_secret_hashes_differently_each_time()
    {
        var hasher = HasherWith(Light());
        var first = hasher.Hash("x");
        var second = hasher.Hash("x");
        Assert.That(second, Is.Not.EqualTo(first));
    }

    [Test]
    public async Task Hash_made_with_older_parameters_asks_to_be_rehashed()
    {
        var options = Light();
        var hasher = HasherWith(options);
        var old = hasher.Hash("secret");
        options.Argon2id.Iterations = 2;

        Assert.That(await Verify(hasher, old, "secret"), Is.EqualTo(SecretVerificationResult.SuccessRehashNeeded));
        Assert.That(await Verify(hasher, hasher.Hash("secret"), "secret"), Is.EqualTo(SecretVerificationResult.Success));
    }

    [TestCase("")]
    [TestCase("plain")]
    [TestCase("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=1,p=1$not*base64$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA$")]
    [TestCase("$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=262145,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=17,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=256,t=1,p=17$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=1,p=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$t=1,m=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=064,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA")]
    public async Task Malformed_tampered_or_out_of_bounds_hash_strings_fail_without_throwing(string stored)
        => Assert.That(await Verify(HasherWith(Light()), stored, "secret"), Is.EqualTo(SecretVerificationResult.Failed));

    [Test]
    public async Task A_stored_hash_longer_than_the_bounds_allow_fails_without_running_Argon2id()
    {
        var huge = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$" + new string('A', 100_000);
        var salty = "$argon2id$v=19$m=64,t=1,p=1$" + new string('A', 88) + "$aGFzaGhhc2hoYXNoaGFzaA";

        Assert.That(await Verify(HasherWith(Light()), huge, "secret"), Is.EqualTo(SecretVerificationResult.Failed));
        Assert.That(await Verify(HasherWith(Light()), salty, "secret"), Is.EqualTo(SecretVerificationResult.Failed));
    }

    [Test]
    public async Task Every_hash_the_hasher_makes_within_the_bounds_is_accepted_back()
    {
        var options = new VezaAuthenticationOptions();
        options.Argon2id.MemorySizeKiB = 8 * Argon2idOptions.MaxParallelism;
        options.Argon2id.Iterations = 1;
        options.Argon2id.Parallelism = Argon2idOptions.MaxParallelism;
        options.Argon2id.SaltLength = Argon2idOptions.MaxSaltLength;
        options.Argon2id.HashLength = Argon2idOptions.MaxHashLength;
        var hasher = HasherWith(options);

        Assert.That(await Verify(hasher, hasher.Hash("secret"), "secret"), Is.EqualTo(SecretVerificationResult.Success));
    }

    private static ValueTask<SecretVerificationResult> Verify(Argon2idSecretHasher hasher, string stored, string secret)
        => hasher.VerifyAsync(stored, secret, CancellationToken.None);

    private static VezaAuthenticationOptions Light()
    {
        var o = new VezaAuthenticationOptions();
        o.Argon2id.MemorySizeKiB = 64;
        o.Argon2id.Iterations = 1;
        return o;
    }
}
