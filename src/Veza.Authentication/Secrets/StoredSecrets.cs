using Veza.Authentication.Diagnostics;

namespace Veza.Authentication.Secrets;

/// <summary>What a stored secret needs after a successful check.</summary>
internal enum StoredSecretUpgrade
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>A fingerprint under the current key (it has none, or one under a key this instance does not hold).</summary>
    Fingerprint = 1,

    /// <summary>A new hash with the current Argon2id parameters (and a fingerprint).</summary>
    Rehash = 2,
}

/// <summary>The outcome of checking a presented secret against a stored one.</summary>
/// <param name="Matches">Whether the secret is right.</param>
/// <param name="Upgrade">What the stored secret needs, when it matched.</param>
internal readonly record struct StoredSecretCheck(bool Matches, StoredSecretUpgrade Upgrade);

/// <summary>
/// How every secret the library keeps is stored and checked: an Argon2id hash (any <see cref="ISecretHasher"/>) made
/// and checked inside the process-wide bound (<see cref="SecretCheckGate"/>), with a keyed fingerprint in front
/// (<see cref="SecretFingerprints"/>) that refuses wrong secrets before the hasher runs.
/// </summary>
internal sealed class StoredSecrets(ISecretHasher hasher, SecretCheckGate gate, SecretFingerprints fingerprints)
{
    /// <summary>The string to store for a new secret.</summary>
    public async ValueTask<string> HashAsync(string secret, CancellationToken cancellationToken)
        => fingerprints.Attach(await gate.HashAsync(hasher, secret, cancellationToken).ConfigureAwait(false), secret);

    /// <summary>
    /// Checks <paramref name="secret"/> against <paramref name="stored"/>: a fingerprint that disagrees refuses it at
    /// once; otherwise the hasher decides, in a slot of the process-wide bound (it throws
    /// <see cref="SecretCheckBusyException"/> when none frees up in time).
    /// </summary>
    public async ValueTask<StoredSecretCheck> VerifyAsync(string stored, string secret)
    {
        var verdict = fingerprints.Check(stored, secret);
        if (verdict == FingerprintVerdict.Mismatch)
        {
            VezaTelemetry.FingerprintRefusals.Add(1);
            return default;
        }

        VezaTelemetry.SecretVerifications.Add(1);
        var hasherString = SecretFingerprints.HasherPart(stored, out _, out _);
        var result = await gate.RunAsync((Hasher: hasher, Hash: hasherString, Secret: secret),
            static s => s.Hasher.VerifyAsync(s.Hash, s.Secret, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
        return result switch
        {
            SecretVerificationResult.Failed => default,
            SecretVerificationResult.SuccessRehashNeeded => new StoredSecretCheck(true, StoredSecretUpgrade.Rehash),
            _ => new StoredSecretCheck(true, verdict == FingerprintVerdict.Unknown && fingerprints.Available ? StoredSecretUpgrade.Fingerprint : StoredSecretUpgrade.None),
        };
    }

    /// <summary>The replacement for <paramref name="stored"/> after a check of <paramref name="secret"/> asked for one.</summary>
    public async ValueTask<string> UpgradeAsync(string stored, string secret, StoredSecretUpgrade upgrade, CancellationToken cancellationToken)
        => upgrade == StoredSecretUpgrade.Rehash
            ? await HashAsync(secret, cancellationToken).ConfigureAwait(false)
            : fingerprints.Attach(SecretFingerprints.HasherPart(stored, out _, out _), secret);
}
