using System.Collections.Concurrent;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Samples.Server;

/// <summary>
/// The sample's sign-in accounts: the user id is the username, and only an Argon2id hash of the password (made with
/// the library's <see cref="ISecretHasher"/>) is kept, in memory. Who the user is and whether they may sign in comes
/// from the directory.
/// </summary>
internal sealed class SampleAccounts
{
    private const int MaxPasswordLength = 1024;
    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private readonly ISecretHasher _hasher;
    private readonly IVezaUserDirectory _directory;

    // Checked when the username is unknown, so that an unknown user costs as much time as a wrong password.
    private readonly string _decoyHash;

    public SampleAccounts(ISecretHasher hasher, IVezaUserDirectory directory)
    {
        _hasher = hasher;
        _directory = directory;
        _decoyHash = hasher.Hash(Guid.NewGuid().ToString("N"));
    }

    /// <summary>Sets a user's password (hashed here; the clear text is not kept).</summary>
    public void SetPassword(string userId, string password) => _hashes[userId] = _hasher.Hash(password);

    /// <summary>The user for a username and password, or <see langword="null"/> whatever was wrong.</summary>
    public async ValueTask<VezaUser?> SignInAsync(string username, string password, CancellationToken cancellationToken)
    {
        if (username.Length == 0 || password.Length is 0 or > MaxPasswordLength)
        {
            return null;
        }

        var known = _hashes.TryGetValue(username, out var hash);
        var verified = await _hasher.VerifyAsync(hash ?? _decoyHash, password, cancellationToken);
        if (!known || verified == SecretVerificationResult.Failed)
        {
            return null;
        }

        if (verified == SecretVerificationResult.SuccessRehashNeeded)
        {
            SetPassword(username, password);
        }

        var user = await _directory.FindUserAsync(username, cancellationToken);
        return user is { IsActive: true } ? user : null;
    }
}
