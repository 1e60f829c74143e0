using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>Wraps the real hasher and counts verifications; can slow them down to widen races.</summary>
internal sealed class CountingHasher(ISecretHasher inner) : ISecretHasher
{
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public TimeSpan Delay { get; set; }

    public string Hash(ReadOnlySpan<char> secret) => inner.Hash(secret);

    public SecretVerificationResult Verify(string storedHash, ReadOnlySpan<char> secret)
    {
        Interlocked.Increment(ref _verifications);
        if (Delay > TimeSpan.Zero)
        {
            Thread.Sleep(Delay);
        }

        return inner.Verify(storedHash, secret);
    }
}

/// <summary>Wraps a real store; reads can be made to throw or hang, and last-access writes are counted.</summary>
internal sealed class SwitchableApiKeyStore(IApiKeyStore inner) : IApiKeyStore
{
    private int _lastAccessWrites;

    public bool FailReads { get; set; }

    public bool HangReads { get; set; }

    public bool FailWrites { get; set; }

    public int LastAccessWrites => Volatile.Read(ref _lastAccessWrites);

    public List<IReadOnlyDictionary<string, DateTimeOffset>> LastAccessBatches { get; } = [];

    public async ValueTask<ApiKeyRecord?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        if (FailReads)
        {
            throw new InvalidOperationException("database is down (test)");
        }

        if (HangReads)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await inner.FindByIdAsync(id, cancellationToken);
    }

    public ValueTask<ApiKeyStoreResult> CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken)
        => FailWrites ? throw new InvalidOperationException("database is down (test)") : inner.CreateAsync(key, cancellationToken);

    public ValueTask<ApiKeyStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
        => FailWrites ? throw new InvalidOperationException("database is down (test)") : inner.RenameAsync(id, name, cancellationToken);

    public ValueTask<ApiKeyStoreResult> SetStatusAsync(string id, ApiKeyStatus status, CancellationToken cancellationToken)
        => FailWrites ? throw new InvalidOperationException("database is down (test)") : inner.SetStatusAsync(id, status, cancellationToken);

    public ValueTask<ApiKeyStoreResult> ReplaceSecretHashAsync(string id, string expectedHash, string newHash, CancellationToken cancellationToken)
        => inner.ReplaceSecretHashAsync(id, expectedHash, newHash, cancellationToken);

    public ValueTask<ApiKeyStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
        => FailWrites ? throw new InvalidOperationException("database is down (test)") : inner.DeleteAsync(id, cancellationToken);

    public ValueTask<IReadOnlyList<string>> DeletePersonalKeysAsync(string ownerUserId, string? teamId, CancellationToken cancellationToken)
        => inner.DeletePersonalKeysAsync(ownerUserId, teamId, cancellationToken);

    public ValueTask<ApiKeyPage> ListAsync(ApiKeyQuery query, CancellationToken cancellationToken)
        => FailReads ? throw new InvalidOperationException("database is down (test)") : inner.ListAsync(query, cancellationToken);

    public ValueTask RecordLastAccessAsync(IReadOnlyDictionary<string, DateTimeOffset> lastAccess, CancellationToken cancellationToken)
    {
        if (FailWrites)
        {
            throw new InvalidOperationException("database is down (test)");
        }

        Interlocked.Increment(ref _lastAccessWrites);
        lock (LastAccessBatches)
        {
            LastAccessBatches.Add(new Dictionary<string, DateTimeOffset>(lastAccess));
        }

        return inner.RecordLastAccessAsync(lastAccess, cancellationToken);
    }
}
