using Veza.Authentication.ApiKeys;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class ApiKeyFormatTests
{
    [Test]
    public void Generated_key_has_prefix_id_secret_and_checksum()
    {
        var key = ApiKeyFormat.Generate();

        Assert.That(key, Does.Match("^veza_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$"));
        Assert.That(ApiKeyFormat.TryParse(key, "veza", out var id, out var secret), Is.True);
        Assert.That(key, Does.StartWith($"veza_{id}_{secret}"));
        Assert.That(secret, Has.Length.EqualTo(43), "43 base62 characters carry just over 256 bits");
    }

    [Test]
    public void Generated_keys_are_unique()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => ApiKeyFormat.Generate()).ToHashSet();
        Assert.That(keys, Has.Count.EqualTo(1000));
    }

    [Test]
    public void Every_single_character_typo_is_rejected_by_the_checksum()
    {
        var key = ApiKeyFormat.Generate();
        var rejected = 0;
        var start = "veza_".Length;
        for (var i = start; i < key.Length; i++)
        {
            if (key[i] == '_')
            {
                continue;
            }

            var typo = key.ToCharArray();
            typo[i] = typo[i] == 'a' ? 'b' : 'a';
            if (!ApiKeyFormat.TryParse(new string(typo), "veza", out _, out _))
            {
                rejected++;
            }
        }

        Assert.That(rejected, Is.EqualTo(key.Length - start - 1));
    }

    [TestCase("")]
    [TestCase("veza_")]
    [TestCase("veza_abc_def")]
    [TestCase("other_0123456789abcdef_0123456789012345678901234567890123456789012ABCDEF")]
    [TestCase("veza_0123456789abcdef-0123456789012345678901234567890123456789012ABCDEF")]
    public void Malformed_strings_are_rejected(string value)
        => Assert.That(ApiKeyFormat.TryParse(value, "veza", out _, out _), Is.False);

    [Test]
    public void Non_ascii_characters_are_rejected()
    {
        var key = ApiKeyFormat.Generate();
        var mangled = key[..20] + "é" + key[21..];
        Assert.That(ApiKeyFormat.TryParse(mangled, "veza", out _, out _), Is.False);
    }

    [Test]
    public void Key_with_a_custom_prefix_is_recognised_only_under_that_prefix()
    {
        var key = ApiKeyFormat.Generate("acme");
        Assert.Multiple(() =>
        {
            Assert.That(ApiKeyFormat.TryParse(key, "acme", out _, out _), Is.True);
            Assert.That(ApiKeyFormat.TryParse(key, "veza", out _, out _), Is.False);
        });
    }

    [TestCase("Veza")]
    [TestCase("ve_za")]
    [TestCase("")]
    [TestCase("abcdefghijklmnopq")]
    public void Invalid_prefixes_are_refused(string prefix)
        => Assert.That(() => ApiKeyFormat.Generate(prefix), Throws.ArgumentException);
}
