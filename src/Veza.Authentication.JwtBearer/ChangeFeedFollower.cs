using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Veza.Authentication.JwtBearer;

/// <summary>
/// Follows the authorization server's change feed: every <see cref="VezaChangeFeedOptions.PollInterval"/> it reads the
/// entries after the sequence it reached and applies them to <see cref="TokenStates"/> (a revoked token or grant is
/// refused from then on; a changed client is asked about again; a signing-key change reads the keys again at once). It
/// starts from a snapshot, and starts over from one when the server says entries it never read were pruned. While the
/// feed cannot be read it logs once; past <see cref="VezaChangeFeedOptions.MaxLag"/> every token is refused (logged
/// once), and all of it ends by itself at the next successful read.
/// </summary>
internal sealed class ChangeFeedFollower(
    VezaChangeFeedOptions options, ChangeFeedClient feed, TokenStates states, AuthorizationServerConfiguration configuration, TimeProvider time, ILogger logger)
    : IDisposable
{
    // Pages read one after the other in one poll at most, so a huge backlog does not hold up the lag check.
    private const int MaxPagesPerPoll = 50;

    private readonly HashSet<long> _appliedAbove = [];
    private readonly SemaphoreSlim _polling = new(1, 1);
    private long? _position;
    private bool _keysPending;
    private long _failingSince;
    private bool _failing;
    private bool _lagging;
    private bool _off;

    /// <summary>The sequence reached (every entry up to it applied), or <see langword="null"/> before the first snapshot.</summary>
    public long? Position => _position;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            states.FirstAttemptDone();
            return;
        }

        using var timer = new PeriodicTimer(options.PollInterval, time);
        try
        {
            await PollAsync(stoppingToken).ConfigureAwait(false);
            states.FirstAttemptDone();
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>Reads and applies what is new; never throws but for the host stopping. One poll at a time.</summary>
    internal async Task PollAsync(CancellationToken stoppingToken)
    {
        await _polling.WaitAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            await PollOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _polling.Release();
        }
    }

    private async Task PollOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            var enabled = true;
            for (var pages = 0; pages < MaxPagesPerPoll; pages++)
            {
                var page = await feed.ReadAsync(_position, stoppingToken).ConfigureAwait(false);
                await ApplyAsync(page, stoppingToken).ConfigureAwait(false);
                enabled = page.Enabled;
                if (!page.HasMore)
                {
                    break;
                }
            }

            states.MarkRead(enabled);
            states.Sweep();
            Recovered(enabled);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AuthorizationServerOffException)
        {
            states.MarkOff();
            if (!_off)
            {
                _off = true;
                Log.ServerOff(logger);
            }
        }
        catch (Exception ex)
        {
            if (!_failing)
            {
                _failing = true;
                _failingSince = time.GetTimestamp();
                Log.FeedUnreadable(logger, ex, (long)options.MaxLag.TotalSeconds);
            }

            if (!_lagging && !states.IsCurrent)
            {
                _lagging = true;
                Log.FeedLagging(logger, (long)time.GetElapsedTime(_failingSince).TotalSeconds);
            }
        }
    }

    public void Dispose() => _polling.Dispose();

    private void Recovered(bool enabled)
    {
        if (_failing || _lagging)
        {
            _failing = _lagging = false;
            Log.FeedRecovered(logger);
        }

        if (_off && enabled)
        {
            _off = false;
            Log.FeedRecovered(logger);
        }
        else if (!enabled && !_off)
        {
            _off = true;
            Log.ServerOff(logger);
        }
    }

    private async Task ApplyAsync(FeedPage page, CancellationToken cancellationToken)
    {
        var keysChanged = false;
        if (page.Snapshot)
        {
            // A snapshot after the first one means entries were missed, perhaps a signing key's too.
            keysChanged = _position is not null;
            states.Reset(page.RevokedTokens);
            _appliedAbove.Clear();
            _position = page.Next;
            Log.SnapshotApplied(logger, page.RevokedTokens.Count, page.Next);
        }

        var position = _position ?? 0;
        foreach (var change in page.Changes)
        {
            // Entries above a gap the server still waits for come again until it settles: each is applied once.
            if (change.Sequence <= position || !_appliedAbove.Add(change.Sequence))
            {
                continue;
            }

            keysChanged |= Apply(change);
        }

        _position = Math.Max(position, page.Next);
        _appliedAbove.RemoveWhere(s => s <= _position);
        _keysPending |= keysChanged;
        if (_keysPending)
        {
            // Until the keys are read, the change stays pending: a failed read is tried again at the next poll.
            await configuration.RefreshAsync(cancellationToken).ConfigureAwait(false);
            _keysPending = false;
        }
    }

    // Whether the change asks for the signing keys to be read again.
    private bool Apply(FeedChange change)
    {
        var forgetAt = change.ExpiresAt ?? time.GetUtcNow().AddDays(1);
        switch (change.Type)
        {
            case "token_revoked" when change.Id is not null:
                states.RevokeToken(change.Id, forgetAt);
                return false;
            case "grant_revoked" when change.Id is not null:
                states.RevokeGrant(change.Id, forgetAt);
                return false;
            case "client_changed" when change.Id is not null:
                states.ClientChanged(change.Id, change.Active != false);
                return false;
            case "signing_keys_changed":
                return true;
            default:
                // settings_changed: the page says whether the server is on. Types this version does not know are skipped.
                return false;
        }
    }
}

/// <summary>Runs one scheme's <see cref="ChangeFeedFollower"/> for the host's lifetime.</summary>
internal sealed class ChangeFeedService(VezaResourceServers servers, string scheme) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => servers.Get(scheme).Follower.RunAsync(stoppingToken);
}
