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
/// Remembers when each key was last used and writes the times to the store in one batch per interval, so that
/// a request never waits on a store write. Pending times are merged into management responses.
/// </summary>
internal sealed class ApiKeyUsageRecorder(IApiKeyStore store, ILogger<ApiKeyUsageRecorder> logger)
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
            await store.RecordLastAccessAsync(batch, cancellationToken).ConfigureAwait(false);
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
}

/// <summary>
/// Runs <see cref="ApiKeyUsageRecorder.FlushAsync"/> on a timer and once more when the host stops. A flush that the
/// stop interrupts puts its batch back, and the last flush is bounded by the store timeout rather than by the host's
/// shutdown token, so a graceful stop loses nothing that was recorded.
/// </summary>
/// <remarks>The recorder (and so the store) is resolved when the service runs, not when the host builds its
/// hosted services, so that a missing store is reported by options validation with a clear message.</remarks>
internal sealed class ApiKeyUsageFlushService(
    IServiceProvider services, IOptions<VezaAuthenticationOptions> options, TimeProvider timeProvider) : BackgroundService
{
    private ApiKeyUsageRecorder? _recorder;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorder = _recorder = services.GetRequiredService<ApiKeyUsageRecorder>();
        using var timer = new PeriodicTimer(options.Value.ApiKeys.LastAccessFlushInterval, timeProvider);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    return;
                }

                await recorder.FlushAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping; StopAsync flushes what is left, including a batch a cancelled flush put back.
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_recorder is null)
        {
            return;
        }

        // Not the host's token: a short shutdown timeout must not drop recorded times. The store timeout bounds it.
        using var timeout = new CancellationTokenSource(options.Value.ApiKeys.StoreTimeout);
        await _recorder.FlushAsync(timeout.Token).ConfigureAwait(false);
    }
}
