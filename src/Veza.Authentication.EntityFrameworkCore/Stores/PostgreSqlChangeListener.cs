using Microsoft.Extensions.Logging;
using Npgsql;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

/// <summary>
/// Listens on PostgreSQL for the notification every change's transaction sends when it commits, on a connection of its
/// own, and wakes whoever waits. A dropped connection is opened again, with a growing pause; meanwhile (and behind a
/// pooler in transaction mode, which passes no notifications on) readers poll as before.
/// </summary>
internal sealed partial class PostgreSqlChangeListener(string connectionString, string channel, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = NewSignal();
    private Task? _listening;

    public async Task WaitForChangesAsync(CancellationToken cancellationToken)
    {
        Task signal;
        lock (_lock)
        {
            _listening ??= Task.Run(() => ListenAsync(_stopping.Token), CancellationToken.None);
            signal = _next.Task;
        }

        await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        var pause = TimeSpan.FromSeconds(1);
        var failing = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
                {
                    // A connection of its own, never returned to a pool, kept alive so a dead peer is noticed.
                    Pooling = false,
                    KeepAlive = 30,
                }.ConnectionString);
                await connection.OpenAsync(stopping).ConfigureAwait(false);
                connection.Notification += (_, _) => Signal();
                await using (var listen = new NpgsqlCommand($"LISTEN \"{channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                }

                if (failing)
                {
                    LogListening(logger);
                    failing = false;
                }

                pause = TimeSpan.FromSeconds(1);
                // Whatever was appended while not listening is found by the next poll; wake the readers for it now.
                Signal();
                while (!stopping.IsCancellationRequested)
                {
                    await connection.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException or InvalidOperationException)
            {
                if (!failing)
                {
                    LogListenFailed(logger, ex);
                    failing = true;
                }

                try
                {
                    await Task.Delay(pause, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource woken;
        lock (_lock)
        {
            woken = _next;
            _next = NewSignal();
        }

        woken.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_listening is { } listening)
        {
            await listening.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(4002, LogLevel.Warning, "Listening for change notifications on PostgreSQL failed; changes reach this instance by polling until it listens again.")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(4003, LogLevel.Information, "Listening for change notifications on PostgreSQL again.")]
    private static partial void LogListening(ILogger logger);
}
