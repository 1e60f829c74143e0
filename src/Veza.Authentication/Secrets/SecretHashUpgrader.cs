using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Secrets;

/// <summary>
/// Replaces a stored hash made with older Argon2id parameters, off the request path: one upgrade per credential at a
/// time, in a slot of the same process-wide bound as checks, with the store timeout. A failure only means it is tried
/// again after the next successful check.
/// </summary>
internal sealed class SecretHashUpgrader(ISecretHasher hasher, SecretCheckGate gate, IOptions<VezaAuthenticationOptions> options, ILogger<SecretHashUpgrader> logger)
{
    private readonly ConcurrentDictionary<string, bool> _upgrading = new(StringComparer.Ordinal);
    private readonly TimeSpan _storeTimeout = options.Value.ApiKeys.StoreTimeout;

    /// <param name="credentialId">Identifies the credential in logs and for the one-at-a-time rule.</param>
    /// <param name="secret">The secret that was just verified.</param>
    /// <param name="replace">Writes the new hash if the stored one is still the one verified; true when written.</param>
    public void UpgradeInBackground(string credentialId, string secret, Func<string, CancellationToken, ValueTask<bool>> replace)
    {
        if (!_upgrading.TryAdd(credentialId, true))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var hash = await gate.HashAsync(hasher, secret, CancellationToken.None).ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(_storeTimeout);
                if (await replace(hash, timeout.Token).ConfigureAwait(false))
                {
                    Log.HashUpgraded(logger, credentialId);
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
