using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Secrets;

/// <summary>
/// Bounds how many secret hashes (Argon2id checks and new hashes) run at once in the whole process, so no caller
/// can make the server allocate memory or burn cores at will. A check waits up to
/// <see cref="SecretCheckOptions.QueueTimeout"/> for a slot, then gives up with <see cref="SecretCheckBusyException"/>.
/// </summary>
internal sealed class SecretCheckGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _queueTimeout;

    public SecretCheckGate(IOptions<VezaAuthenticationOptions> options)
    {
        var o = options.Value.SecretChecks;
        _slots = new SemaphoreSlim(o.MaxConcurrentChecks, o.MaxConcurrentChecks);
        _queueTimeout = o.QueueTimeout;
    }

    /// <summary>Runs <paramref name="work"/> in one of the slots.</summary>
    public async ValueTask<T> RunAsync<TState, T>(TState state, Func<TState, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(_queueTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new SecretCheckBusyException();
        }

        try
        {
            return await work(state).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Hashes a new secret in one of the slots.</summary>
    public ValueTask<string> HashAsync(ISecretHasher hasher, string secret, CancellationToken cancellationToken)
        => RunAsync((Hasher: hasher, Secret: secret), static s => ValueTask.FromResult(s.Hasher.Hash(s.Secret)), cancellationToken);

    public void Dispose() => _slots.Dispose();
}

/// <summary>Every secret-check slot stayed taken for the whole queue timeout: the request is answered 503.</summary>
internal sealed class SecretCheckBusyException() : Exception("Secret checks are saturated."), IKnownAuthenticationFailure
{
    public VezaAuthenticationFailureKind Kind => VezaAuthenticationFailureKind.Busy;
}
