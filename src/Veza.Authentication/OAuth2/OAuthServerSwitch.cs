using Microsoft.Extensions.Options;
using Veza.Authentication.Changes;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Whether the OAuth2 authorization server is on, as the settings store says. The answer is kept in memory and read
/// again, in the background, when the change feed says the settings changed, so a request never waits on the store
/// once the first read has succeeded; a change made through this instance counts at once. Until the store has
/// answered (again, after everything was forgotten), the server counts as off (fail closed).
/// </summary>
internal sealed class OAuthServerSwitch : IChangeListener
{
    private readonly IVezaSettingsStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Lock _lock = new();
    private VezaSignInSettings? _settings;
    private Task? _reading;

    // Counts the changes announced; a read clears the need to read again only if none arrived while it ran.
    private long _announced;
    private long _readThrough = -1;

    public OAuthServerSwitch(IVezaSettingsStore store, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _store = store;
        _time = time;
        _timeout = options.Value.Stores.Timeout;
    }

    /// <summary>The last known answer, read again in the background when a change was announced since.</summary>
    public bool IsEnabled
    {
        get
        {
            var settings = Volatile.Read(ref _settings);
            if (settings is null || Volatile.Read(ref _readThrough) != Volatile.Read(ref _announced))
            {
                _ = RefreshAsync();
            }

            return settings?.OAuth2Enabled == true;
        }
    }

    /// <summary>The settings changed through some instance: read them again (keeping the last answer meanwhile).</summary>
    public void OnChanged(VezaChange change)
    {
        if (change.Kind == VezaChangeKind.Settings)
        {
            Interlocked.Increment(ref _announced);
            _ = RefreshAsync();
        }
    }

    /// <summary>Forgets the answer: the server counts as off until the store answers again.</summary>
    public void ForgetAll()
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _announced);
            _settings = null;
        }

        _ = RefreshAsync();
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
        var announced = Volatile.Read(ref _announced);
        var settings = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        Remember(settings, announced);
        return settings;
    }

    /// <summary>Switches the server on or off; answers Conflict when someone else changed the settings meanwhile.</summary>
    public async ValueTask<(OAuthStoreResult Result, VezaSignInSettings Settings)> SetAsync(bool enabled, string changedBy, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        var changed = current with { OAuth2Enabled = enabled, UpdatedAt = _time.GetUtcNow(), UpdatedBy = changedBy };
        var result = await _store.UpdateAsync(changed, current.Version, cancellationToken).ConfigureAwait(false);
        var announced = Volatile.Read(ref _announced);
        var now = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        Remember(now, announced);
        return (result, now);
    }

    private void Remember(VezaSignInSettings settings, long announced)
    {
        lock (_lock)
        {
            if (_settings is null || settings.Version >= _settings.Version)
            {
                _settings = settings;
            }

            Volatile.Write(ref _readThrough, Math.Max(Volatile.Read(ref _readThrough), announced));
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
            var announced = Volatile.Read(ref _announced);
            Remember(await _store.GetAsync(timeout.Token).ConfigureAwait(false), announced);
        }
        catch (Exception) when (Volatile.Read(ref _settings) is not null)
        {
            // Keep the last known answer; a later request tries again, one read at a time. With no answer at all, the
            // failure goes to whoever waits for it (IsEnabledAsync: 503).
        }
    }
}
