using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// Wraps the real hasher and counts verifications, and how many ran at once. A verification can be held at a gate
/// (<see cref="Hold"/>) or slowed by an awaited delay, without blocking a thread, so concurrency is never capped by the
/// thread pool.
/// </summary>
internal sealed class CountingHasher(ISecretHasher inner) : ISecretHasher
{
    private readonly object _lock = new();
    private int _verifications;
    private int _running;
    private int _maxRunning;
    private TaskCompletionSource _gate = Open();

    public int Verifications => Volatile.Read(ref _verifications);

    public int MaxConcurrent => Volatile.Read(ref _maxRunning);

    public TimeSpan Delay { get; set; }

    /// <summary>Completes when a verification has started (and is held, if <see cref="Hold"/> was called).</summary>
    public TaskCompletionSource Started { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Hash(ReadOnlySpan<char> secret) => inner.Hash(secret);

    /// <summary>Holds every verification that starts from now on until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _gate.TrySetResult();
        }
    }

    public async ValueTask<SecretVerificationResult> VerifyAsync(string storedHash, string secret, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _verifications);
        var running = Interlocked.Increment(ref _running);
        int max;
        while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
        {
        }

        try
        {
            Task gate;
            lock (_lock)
            {
                gate = _gate.Task;
                Started.TrySetResult();
            }

            await gate;
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, CancellationToken.None);
            }

            return await inner.VerifyAsync(storedHash, secret, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>Replaces the host's hasher with a counting one around the real Argon2id hasher.</summary>
    public static void Register(IServiceCollection services)
        => services.Replace(ServiceDescriptor.Singleton<ISecretHasher>(sp =>
            new CountingHasher(new Argon2idSecretHasher(sp.GetRequiredService<IOptionsMonitor<VezaAuthenticationOptions>>()))));

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }
}

/// <summary>Wraps a real store; reads can be made to throw or hang, and last-access writes are counted.</summary>
internal sealed class SwitchableApiKeyStore(IApiKeyStore inner) : IApiKeyStore
{
    private int _lastAccessWrites;
    private int _hangingLastAccessWrites;

    public bool FailReads { get; set; }

    public bool HangReads { get; set; }

    public bool FailWrites { get; set; }

    /// <summary>Writes are applied, then the call throws anyway (a commit whose answer timed out).</summary>
    public bool FailAfterWrites { get; set; }

    /// <summary>Hash upgrades wait until cancelled, then throw.</summary>
    public bool HangHashUpgrades { get; set; }

    /// <summary>Last-access writes wait until cancelled, then throw (a slow store at shutdown).</summary>
    public bool HangLastAccessWrites { get; set; }

    public int LastAccessWrites => Volatile.Read(ref _lastAccessWrites);

    public int HangingLastAccessWrites => Volatile.Read(ref _hangingLastAccessWrites);

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

    public ValueTask<ApiKeyStoreResult> CreateAsync(ApiKeyRecord key, int? maxInScope, CancellationToken cancellationToken)
        => FailWrites ? throw new InvalidOperationException("database is down (test)") : inner.CreateAsync(key, maxInScope, cancellationToken);

    public ValueTask<ApiKeyStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
        => WriteAsync(() => inner.RenameAsync(id, name, cancellationToken));

    public ValueTask<ApiKeyStoreResult> RevokeAsync(string id, string revokedBy, ApiKeyAuthority authority, CancellationToken cancellationToken)
        => WriteAsync(() => inner.RevokeAsync(id, revokedBy, authority, cancellationToken));

    public ValueTask<ApiKeyStoreResult> ReinstateAsync(string id, ApiKeyAuthority authority, CancellationToken cancellationToken)
        => WriteAsync(() => inner.ReinstateAsync(id, authority, cancellationToken));

    private async ValueTask<ApiKeyStoreResult> WriteAsync(Func<ValueTask<ApiKeyStoreResult>> write)
    {
        if (FailWrites)
        {
            throw new InvalidOperationException("database is down (test)");
        }

        var result = await write();
        return FailAfterWrites ? throw new TimeoutException("the commit's answer timed out (test)") : result;
    }

    public async ValueTask<ApiKeyStoreResult> ReplaceSecretHashAsync(string id, string expectedHash, string newHash, CancellationToken cancellationToken)
    {
        if (HangHashUpgrades)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await inner.ReplaceSecretHashAsync(id, expectedHash, newHash, cancellationToken);
    }

    public ValueTask<ApiKeyStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
        => WriteAsync(() => inner.DeleteAsync(id, cancellationToken));

    public ValueTask<IReadOnlyList<string>> DeletePersonalKeysAsync(string ownerUserId, string? teamId, CancellationToken cancellationToken)
        => inner.DeletePersonalKeysAsync(ownerUserId, teamId, cancellationToken);

    public ValueTask<ApiKeyPage> ListAsync(ApiKeyQuery query, CancellationToken cancellationToken)
        => FailReads ? throw new InvalidOperationException("database is down (test)") : inner.ListAsync(query, cancellationToken);

    public async ValueTask RecordLastAccessAsync(IReadOnlyDictionary<string, DateTimeOffset> lastAccess, CancellationToken cancellationToken)
    {
        if (FailWrites)
        {
            throw new InvalidOperationException("database is down (test)");
        }

        if (HangLastAccessWrites)
        {
            Interlocked.Increment(ref _hangingLastAccessWrites);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        Interlocked.Increment(ref _lastAccessWrites);
        lock (LastAccessBatches)
        {
            LastAccessBatches.Add(new Dictionary<string, DateTimeOffset>(lastAccess));
        }

        await inner.RecordLastAccessAsync(lastAccess, cancellationToken);
    }
}

/// <summary>Keeps every audit event, in order, and lets a test wait for one.</summary>
internal sealed class RecordingAuditSink : IVezaAuditSink
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<VezaAuditEvent> Events { get; } = new();

    public ValueTask WriteAsync(VezaAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(auditEvent);
        TaskCompletionSource added;
        lock (_lock)
        {
            (added, _added) = (_added, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        added.TrySetResult();
        return ValueTask.CompletedTask;
    }

    // Call events are raised when the response has completed, which TestServer may report after the client has it.
    public async Task<VezaAuditEvent> WaitForAsync(Func<VezaAuditEvent, bool> match)
    {
        var deadline = Task.Delay(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task added;
            lock (_lock)
            {
                added = _added.Task;
            }

            if (Events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (await Task.WhenAny(added, deadline) == deadline)
            {
                Assert.Fail("no matching audit event within 10 s");
            }
        }
    }
}
