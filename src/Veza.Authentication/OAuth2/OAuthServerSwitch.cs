using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Whether the OAuth2 authorization server is on, as the settings store says. The answer is kept in memory and read
/// again from the store at most every <see cref="OAuthServerOptions.StateRefreshInterval"/>, in the background, so
/// a request never waits on the store once the first read has succeeded; a change made through this instance counts
/// at once. Until the store has answered once, the server counts as off (fail closed).
/// </summary>
internal sealed class OAuthServerSwitch
{
    private readonly IVezaSettingsStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refresh;
    private readonly TimeSpan _timeout;
    private readonly Lock _lock = new();
    private VezaSignInSettings? _settings;
    private long _readAt;
    private Task? _reading;

    public OAuthServerSwitch(IVezaSettingsStore store, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _store = store;
        _time = time;
        _refresh = options.Value.OAuth2.StateRefreshInterval;
        _timeout = options.Value.ApiKeys.StoreTimeout;
    }

    /// <summary>The last known answer, refreshed in the background when it is older than the refresh interval.</summary>
    public bool IsEnabled
    {
        get
        {
            var settings = Volatile.Read(ref _settings);
            if (settings is null || _time.GetElapsedTime(Volatile.Read(ref _readAt)) >= _refresh)
            {
                _ = RefreshAsync();
            }

            return settings?.OAuth2Enabled == true;
        }
    }

    /// <summary>The current answer; waits for the store when it has never answered (and throws when it fails).</summary>
    public async ValueTask<bool> IsEnabledAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _settings) is null)
        {
            await RefreshAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return IsEnabled;
    }

    /// <summary>The settings as stored now (read from the store).</summary>
    public async ValueTask<VezaSignInSettings> ReadAsync(CancellationToken cancellationToken)
    {
        var settings = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        Remember(settings);
        return settings;
    }

    /// <summary>Switches the server on or off; answers Conflict when someone else changed the settings meanwhile.</summary>
    public async ValueTask<(OAuthStoreResult Result, VezaSignInSettings Settings)> SetAsync(bool enabled, string changedBy, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        var changed = current with { OAuth2Enabled = enabled, UpdatedAt = _time.GetUtcNow(), UpdatedBy = changedBy };
        var result = await _store.UpdateAsync(changed, current.Version, cancellationToken).ConfigureAwait(false);
        var now = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        Remember(now);
        return (result, now);
    }

    private void Remember(VezaSignInSettings settings)
    {
        lock (_lock)
        {
            if (_settings is null || settings.Version >= _settings.Version)
            {
                _settings = settings;
            }

            Volatile.Write(ref _readAt, _time.GetTimestamp());
        }
    }

    private Task RefreshAsync()
    {
        lock (_lock)
        {
            if (_reading is { IsCompleted: false })
            {
                return _reading;
            }

            return _reading = ReadInBackgroundAsync();
        }
    }

    private async Task ReadInBackgroundAsync()
    {
        await Task.Yield();
        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            Remember(await _store.GetAsync(timeout.Token).ConfigureAwait(false));
        }
        catch (Exception) when (Volatile.Read(ref _settings) is not null)
        {
            // Keep the last known answer; a later request tries again (one read at a time).
        }
    }
}
