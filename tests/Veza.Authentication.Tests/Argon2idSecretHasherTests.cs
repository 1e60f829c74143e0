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
    public void Right_secret_verifies_and_wrong_secret_does_not()
    {
        var hasher = HasherWith(new VezaAuthenticationOptions());
        var hash = hasher.Hash("correct horse");
        Assert.Multiple(() =>
        {
            Assert.That(hasher.Verify(hash, "correct horse"), Is.EqualTo(SecretVerificationResult.Success));
            Assert.That(hasher.Verify(hash, "correct horsf"), Is.EqualTo(SecretVerificationResult.Failed));
        });
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
    public void Hash_made_with_older_parameters_asks_to_be_rehashed()
    {
        var options = Light();
        var hasher = HasherWith(options);
        var old = hasher.Hash("secret");
        options.Argon2id.Iterations = 2;

        Assert.That(hasher.Verify(old, "secret"), Is.EqualTo(SecretVerificationResult.SuccessRehashNeeded));
        Assert.That(hasher.Verify(hasher.Hash("secret"), "secret"), Is.EqualTo(SecretVerificationResult.Success));
    }

    [TestCase("")]
    [TestCase("plain")]
    [TestCase("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=1,p=1$not*base64$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA$")]
    public void Malformed_or_tampered_hash_strings_fail_without_throwing(string stored)
        => Assert.That(HasherWith(Light()).Verify(stored, "secret"), Is.EqualTo(SecretVerificationResult.Failed));

    private static VezaAuthenticationOptions Light()
    {
        var o = new VezaAuthenticationOptions();
        o.Argon2id.MemorySizeKiB = 64;
        o.Argon2id.Iterations = 1;
        return o;
    }
}
