using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Changes;

/// <summary>
/// Follows the change feed: every <see cref="VezaStoreOptions.ChangePollInterval"/> it reads the entries after the
/// last sequence this instance has settled and tells every <see cref="IChangeListener"/>, so that a change made through
/// any instance holds here within one interval. Order rests on the store's sequence alone, never on a clock. It
/// forgets everything remembered when entries it never read were pruned, or when the feed has not been read for
/// <see cref="VezaStoreOptions.MaxChangeLag"/>; and it prunes entries older than
/// <see cref="VezaStoreOptions.ChangeRetention"/>.
/// </summary>
internal sealed class ChangeFeedReader : BackgroundService
{
    private const int PageSize = 1000;

    // On start, entries this far back are applied again: a write that took its sequence before this instance read the
    // feed's end, and committed after, is still seen.
    private const int StartWindow = 1000;

    private readonly IVezaChangeFeed? _feed;
    private readonly Func<IEnumerable<IChangeListener>> _findListeners;
    private IChangeListener[] _listeners = [];
    private readonly VezaStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _gapWaitTicks;
    private readonly TimeSpan _pruneEvery;
    private ChangeCursor? _cursor;
    private long _lastReadAt;
    private long _lastPrunedAt;
    private bool _failing;
    private bool _lagging;

    /// <param name="feed">The feed; <see langword="null"/> when none is registered (the options validator reports it
    /// at start, and nothing is read).</param>
    /// <param name="listeners">Finds the listeners when the reader starts, once the host's services are complete.</param>
    /// <param name="options">The options.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    public ChangeFeedReader(IVezaChangeFeed? feed, Func<IEnumerable<IChangeListener>> listeners, IOptions<VezaAuthenticationOptions> options, TimeProvider time,
        ILogger<ChangeFeedReader> logger)
    {
        _feed = feed;
        _findListeners = listeners;
        _options = options.Value.Stores;
        _time = time;
        _logger = logger;
        _gapWaitTicks = (long)(_options.ChangeGapWait.TotalSeconds * time.TimestampFrequency);
        _pruneEvery = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, _options.ChangeRetention.Ticks / 10));
        _lastReadAt = time.GetTimestamp();
        _lastPrunedAt = _lastReadAt;
    }

    /// <summary>The sequence up to which this instance has settled the feed (for tests and diagnostics).</summary>
    public long Position => _cursor?.Position ?? -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_feed is null)
        {
            return;
        }

        _listeners = [.. _findListeners()];
        using var timer = new PeriodicTimer(_options.ChangePollInterval, _time);
        var notifications = _feed as IVezaChangeNotifications;
        try
        {
            await PollAsync(stoppingToken).ConfigureAwait(false);
            // The feed is read on each tick and, when the feed can say so, as soon as it says something was appended.
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            var notified = Notified(notifications, stoppingToken);
            while (true)
            {
                var woke = await Task.WhenAny(tick, notified).ConfigureAwait(false);
                if (woke == tick)
                {
                    if (!await tick.ConfigureAwait(false))
                    {
                        return;
                    }

                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                    if (notified.IsCompleted)
                    {
                        notified = Notified(notifications, stoppingToken);
                    }
                }
                else if (notified.IsCompletedSuccessfully)
                {
                    notified = Notified(notifications, stoppingToken);
                }
                else
                {
                    // The notifications failed: poll on the timer alone until its next tick, then listen again.
                    stoppingToken.ThrowIfCancellationRequested();
                    _ = notified.Exception;
                    notified = tick;
                    continue;
                }

                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private static Task Notified(IVezaChangeNotifications? notifications, CancellationToken stoppingToken)
        => notifications?.WaitForChangesAsync(stoppingToken) ?? Task.Delay(Timeout.Infinite, stoppingToken);

    /// <summary>Reads and applies what is new in the feed; never throws but for the host stopping.</summary>
    internal async Task PollAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(_options.Timeout);
            await ReadAsync(timeout.Token).ConfigureAwait(false);
            _lastReadAt = _time.GetTimestamp();
            if (_failing)
            {
                _failing = _lagging = false;
                Log.ChangeFeedRecovered(_logger);
            }

            await PruneWhenDueAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (!_failing)
            {
                _failing = true;
                Log.ChangeFeedUnreadable(_logger, ex, (long)_options.MaxChangeLag.TotalSeconds);
            }

            if (_time.GetElapsedTime(_lastReadAt) >= _options.MaxChangeLag)
            {
                // Changes may be going unseen: stop trusting anything remembered, and go on doing so each turn until
                // the feed can be read again, so requests are decided by the stores themselves (or fail closed).
                if (!_lagging)
                {
                    _lagging = true;
                    Log.ChangeFeedLagging(_logger, (long)_time.GetElapsedTime(_lastReadAt).TotalSeconds);
                }

                ForgetAll();
            }
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var cursor = _cursor;
        if (cursor is null)
        {
            var last = await _feed!.GetLastSequenceAsync(cancellationToken).ConfigureAwait(false);
            cursor = _cursor = new ChangeCursor(Math.Max(0, last - StartWindow));
        }

        var page = await _feed!.ReadAsync(cursor.Position, PageSize, cancellationToken).ConfigureAwait(false);
        if (cursor.MissedPruned(page.PrunedThrough))
        {
            Log.ChangeFeedFellBehind(_logger, cursor.Position, page.PrunedThrough);
            ForgetAll();
            cursor.Reset(page.PrunedThrough);
            page = await _feed!.ReadAsync(cursor.Position, PageSize, cancellationToken).ConfigureAwait(false);
        }

        var highest = cursor.Position;
        while (true)
        {
            foreach (var change in page.Changes)
            {
                highest = Math.Max(highest, change.Sequence);
                if (cursor.Accept(change))
                {
                    Apply(change);
                }
            }

            if (page.Changes.Count < PageSize)
            {
                break;
            }

            page = await _feed!.ReadAsync(page.Changes[^1].Sequence, PageSize, cancellationToken).ConfigureAwait(false);
        }

        if (!cursor.Settle(highest, _time.GetTimestamp(), _gapWaitTicks))
        {
            ForgetAll();
            cursor.Reset(highest);
        }
    }

    private void Apply(VezaChange change)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnChanged(change);
            }
            catch (Exception ex)
            {
                // A listener that cannot apply one change can no longer be trusted to be current.
                Log.ChangeNotApplied(_logger, ex, change.Kind.ToString(), change.Sequence);
                listener.ForgetAll();
            }
        }
    }

    private void ForgetAll()
    {
        foreach (var listener in _listeners)
        {
            listener.ForgetAll();
        }
    }

    private async Task PruneWhenDueAsync(CancellationToken cancellationToken)
    {
        if (_time.GetElapsedTime(_lastPrunedAt) < _pruneEvery)
        {
            return;
        }

        _lastPrunedAt = _time.GetTimestamp();
        try
        {
            await _feed!.PruneAsync(_time.GetUtcNow() - _options.ChangeRetention, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ChangeFeedPruneFailed(_logger, ex);
        }
    }
}
