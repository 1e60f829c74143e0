using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Secrets;

/// <summary>
/// Replaces a stored secret that a successful check found outdated (a hash made with older Argon2id parameters, or no
/// fingerprint under a key this instance holds), off the request path: one upgrade per credential at a time, a new
/// hash in a slot of the same process-wide bound as checks, the write with the store timeout. A failure only means it
/// is tried again after the next successful check.
/// </summary>
internal sealed class SecretHashUpgrader(StoredSecrets secrets, IOptions<VezaAuthenticationOptions> options, ILogger<SecretHashUpgrader> logger)
{
    private readonly ConcurrentDictionary<string, bool> _upgrading = new(StringComparer.Ordinal);
    private readonly TimeSpan _storeTimeout = options.Value.Stores.Timeout;

    /// <param name="credentialId">Identifies the credential in logs and for the one-at-a-time rule.</param>
    /// <param name="stored">The stored secret the check verified.</param>
    /// <param name="secret">The secret that was just verified.</param>
    /// <param name="upgrade">What the stored secret needs.</param>
    /// <param name="replace">Writes the new string if the stored one is still the one verified; true when written.</param>
    public void UpgradeInBackground(string credentialId, string stored, string secret, StoredSecretUpgrade upgrade,
        Func<string, CancellationToken, ValueTask<bool>> replace)
    {
        if (upgrade == StoredSecretUpgrade.None || !_upgrading.TryAdd(credentialId, true))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var hash = await secrets.UpgradeAsync(stored, secret, upgrade, CancellationToken.None).ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(_storeTimeout);
                if (await replace(hash, timeout.Token).ConfigureAwait(false))
                {
                    Log.HashUpgraded(logger, credentialId, upgrade == StoredSecretUpgrade.Rehash ? "the current Argon2id parameters" : "a fingerprint under the current key");
                }
            }
            catch (Exception ex)
            {
                Log.HashUpgradeFailed(logger, ex, credentialId);
            }
            finally
            {
                _upgrading.TryRemove(credentialId, out _);
            }
        });
    }

    /// <summary>
    /// The key a check is remembered under: the kind and id of the credential and the SHA-256 of the presented
    /// secret in hex, so the secret itself is never kept.
    /// </summary>
    public static string CacheKey(string kind, string credentialId, ReadOnlySpan<char> secret)
    {
        Span<byte> ascii = stackalloc byte[secret.Length];
        var written = Encoding.ASCII.GetBytes(secret, ascii);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..written], digest);
        Span<char> hex = stackalloc char[2 * SHA256.HashSizeInBytes];
        Convert.TryToHexString(digest, hex, out _);
        return string.Concat(kind, credentialId, ":", hex);
    }
}
