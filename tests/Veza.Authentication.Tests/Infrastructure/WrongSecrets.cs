using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// Wrong secrets chosen by what their keyed fingerprint says, so that tests which count Argon2id runs do not depend on
/// chance: a wrong secret is refused by its fingerprint in all but one case in 65,536, and one that "collides" is the
/// rare guess that costs an Argon2id run.
/// </summary>
internal static class WrongSecrets
{
    /// <summary>A well-formed key for <paramref name="keyId"/> with a wrong secret whose fingerprint gives it away.</summary>
    public static async Task<string> KeyAsync(VezaTestHost host, string keyId)
        => await KeyAsync(host, keyId, FingerprintVerdict.Mismatch);

    /// <summary>A wrong key for <paramref name="keyId"/> whose fingerprint matches the stored one: a lucky guess.</summary>
    public static async Task<string> LuckyKeyAsync(VezaTestHost host, string keyId)
        => await KeyAsync(host, keyId, FingerprintVerdict.Match);

    /// <summary>A wrong secret for a client's only secret, whose fingerprint gives it away.</summary>
    public static async Task<string> ClientSecretAsync(VezaTestHost host, string clientId, string prefix = "x")
    {
        var client = await host.Services.GetRequiredService<IOAuthClientStore>().FindByIdAsync(clientId, CancellationToken.None);
        var stored = client!.Secrets.Single().Hash;
        var fingerprints = host.Services.GetRequiredService<SecretFingerprints>();
        while (true)
        {
            var secret = $"{prefix}-a-wrong-secret-that-is-long-enough-{Guid.NewGuid():N}";
            if (fingerprints.Check(stored, secret) == FingerprintVerdict.Mismatch)
            {
                return secret;
            }
        }
    }

    private static async Task<string> KeyAsync(VezaTestHost host, string keyId, FingerprintVerdict wanted)
    {
        var stored = (await host.Services.GetRequiredService<IApiKeyStore>().FindByIdAsync(keyId, CancellationToken.None))!.SecretHash;
        var fingerprints = host.Services.GetRequiredService<SecretFingerprints>();
        Assert.That(SecretFingerprints.HasherPart(stored, out var fingerprintKey, out _), Is.Not.EqualTo(stored), "the stored secret has a fingerprint");
        Assert.That(fingerprintKey, Is.Not.Null);
        while (true)
        {
            var key = ApiKeyFormat.Generate(ApiKeyFormat.DefaultPrefix, keyId);
            ApiKeyFormat.TryParse(key, ApiKeyFormat.DefaultPrefix, out _, out var secret);
            if (fingerprints.Check(stored, secret) == wanted)
            {
                return key;
            }
        }
    }
}
