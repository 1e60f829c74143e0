using System.Collections.Concurrent;
using System.Net;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Samples.Server;

/// <summary>
/// The sample's sign-in accounts: the user id is the username, and only the stored form of the password (an Argon2id
/// hash with its keyed fingerprint, made by the library's <see cref="VezaPasswordVerifier"/>) is kept, in memory.
/// Checks go through the same verifier, so a sign-in page gets the library's protections: an address that keeps
/// failing is throttled before any work, Argon2id runs within the process-wide bound, and a wrong password is refused
/// by its fingerprint without Argon2id. Who the user is and whether they may sign in comes from the directory.
/// </summary>
internal sealed class SampleAccounts(VezaPasswordVerifier passwords, IVezaUserDirectory directory)
{
    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);

    /// <summary>Sets a user's password (hashed here; the clear text is not kept).</summary>
    public async ValueTask SetPasswordAsync(string userId, string password, CancellationToken cancellationToken)
        => _hashes[userId] = await passwords.HashAsync(password, cancellationToken);

    /// <summary>
    /// Checks a username and password from <paramref name="client"/>: the user on success, and otherwise why not
    /// (failed whatever was wrong, throttled, or busy).
    /// </summary>
    public async ValueTask<(VezaUser? User, VezaPasswordCheck Check)> SignInAsync(string username, string password, IPAddress? client,
        CancellationToken cancellationToken)
    {
        var stored = _hashes.GetValueOrDefault(username);
        var check = await passwords.VerifyAsync(stored, password, client, cancellationToken);
        if (check.Result != VezaPasswordCheckResult.Success)
        {
            return (null, check);
        }

        if (check.UpgradedHash is { } upgraded)
        {
            _hashes.TryUpdate(username, upgraded, stored!);
        }

        var user = await directory.FindUserAsync(username, cancellationToken);
        return user is { IsActive: true } ? (user, check) : (null, check with { Result = VezaPasswordCheckResult.Failed });
    }
}
