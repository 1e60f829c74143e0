using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>
/// Remembers when each credential was last used and writes the times to its store in one batch per interval, so
/// that a request never waits on a store write. Pending times are merged into management responses.
/// </summary>
internal abstract class LastUseRecorder(ILogger logger)
{
    // UTC ticks; a long is written in place by ConcurrentDictionary, so recording allocates nothing.
    private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);

    public void Record(string keyId, DateTimeOffset at) => _pending[keyId] = at.UtcTicks;

    public DateTimeOffset? GetPending(string keyId)
        => _pending.TryGetValue(keyId, out var ticks) ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void Forget(string keyId) => _pending.TryRemove(keyId, out _);

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var batch = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (id, ticks) in _pending)
        {
            // Only remove the entry if it was not updated meanwhile; a newer time stays for the next flush.
            if (_pending.TryRemove(new KeyValuePair<string, long>(id, ticks)))
            {
                batch[id] = new DateTimeOffset(ticks, TimeSpan.Zero);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Failed or cancelled (the host stopping): the batch goes back, merged with anything newer, for the next try.
            foreach (var (id, at) in batch)
            {
                _pending.AddOrUpdate(id, at.UtcTicks, (_, current) => Math.Max(current, at.UtcTicks));
            }

            if (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.LastAccessFlushFailed(logger, ex, batch.Count);
            }
        }
    }

    protected abstract ValueTask WriteAsync(IReadOnlyDictionary<string, DateTimeOffset> batch, CancellationToken cancellationToken);
}

/// <summary>Last use of API keys, written to <see cref="IApiKeyStore"/>.</summary>
internal sealed class ApiKeyUsageRecorder(IApiKeyStore store, ILogger<ApiKeyUsageRecorder> logger) : LastUseRecorder(logger)
{
    protected override ValueTask WriteAsync(IReadOnlyDictionary<string, DateTimeOffset> batch, CancellationToken cancellationToken)
        => store.RecordLastAccessAsync(batch, cancellationToken);
}

/// <summary>Last use of OAuth2 clients (when they last got a token), written to <see cref="IOAuthClientStore"/>.</summary>
internal sealed class ClientUsageRecorder(IOAuthClientStore store, ILogger<ClientUsageRecorder> logger) : LastUseRecorder(logger)
{
    protected override ValueTask WriteAsync(IReadOnlyDictionary<string, DateTimeOffset> batch, CancellationToken cancellationToken)
        => store.RecordLastUseAsync(batch, cancellationToken);
}

/// <summary>
/// Runs <see cref="LastUseRecorder.FlushAsync"/> for keys and clients on a timer and once more when the host stops, and prunes expired token revocations. A flush that the
/// stop interrupts puts its batch back, and the last flush is bounded by the store timeout rather than by the host's
/// shutdown token, so a graceful stop loses nothing that was recorded.
/// </summary>
/// <remarks>The recorder (and so the store) is resolved when the service runs, not when the host builds its
/// hosted services, so that a missing store is reported by options validation with a clear message.</remarks>
internal sealed class ApiKeyUsageFlushService(
    IServiceProvider services, IOptions<VezaAuthenticationOptions> options, TimeProvider timeProvider) : BackgroundService
{
    private LastUseRecorder[] _recorders = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Client use is recorded only when the OAuth2 stores are registered.
        var recorders = _recorders = StoreRegistrations.HasOAuth2(services)
            ? [services.GetRequiredService<ApiKeyUsageRecorder>(), services.GetRequiredService<ClientUsageRecorder>()]
            : [services.GetRequiredService<ApiKeyUsageRecorder>()];
        var revocations = StoreRegistrations.HasOAuth2(services) ? services.GetRequiredService<ITokenRevocationStore>() : null;
        var grants = StoreRegistrations.HasOAuth2Apps(services) ? services.GetRequiredService<IOAuthGrantStore>() : null;
        var pruneEvery = (int)Math.Max(1, TimeSpan.FromMinutes(10) / options.Value.ApiKeys.LastAccessFlushInterval);
        var ticks = 0;
        using var timer = new PeriodicTimer(options.Value.ApiKeys.LastAccessFlushInterval, timeProvider);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    return;
                }

                foreach (var recorder in recorders)
                {
                    await recorder.FlushAsync(stoppingToken).ConfigureAwait(false);
                }

                if (revocations is not null && ++ticks % pruneEvery == 0)
                {
                    await PruneAsync(revocations.PruneAsync, stoppingToken).ConfigureAwait(false);
                    if (grants is not null)
                    {
                        await PruneAsync(grants.PruneAsync, stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping; StopAsync flushes what is left, including a batch a cancelled flush put back.
                return;
            }
        }
    }

    // Revocations of tokens that have expired, and grants past their end, are no longer needed (pruned about every 10
    // minutes); a failure waits for the next turn.
    private async Task PruneAsync(Func<DateTimeOffset, CancellationToken, ValueTask<int>> prune, CancellationToken stoppingToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(options.Value.Stores.Timeout);
            await prune(timeProvider.GetUtcNow(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.PruneFailed(services.GetRequiredService<ILogger<ApiKeyUsageFlushService>>(), ex);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var recorder in _recorders)
        {
            // Not the host's token: a short shutdown timeout must not drop recorded times. The store timeout bounds it.
            using var timeout = new CancellationTokenSource(options.Value.Stores.Timeout);
            await recorder.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
    }
}
