using Veza.Authentication.Diagnostics;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Reads and changes the sign-in settings ("OAuth2 Authorization Server" on or off) at run time, for every instance
/// that shares the settings store. Changes are audited here; the management endpoint allows them to administrators
/// of the root team only, while a host calling this service directly decides for itself.
/// </summary>
public sealed class SignInSettingsService
{
    private readonly OAuthServerSwitch _switch;
    private readonly IVezaAuditSink _audit;
    private readonly TimeProvider _time;

    internal SignInSettingsService(OAuthServerSwitch serverSwitch, IVezaAuditSink audit, TimeProvider time)
    {
        _switch = serverSwitch;
        _audit = audit;
        _time = time;
    }

    /// <summary>The settings as stored now.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The settings.</returns>
    public ValueTask<VezaSignInSettings> GetAsync(CancellationToken cancellationToken) => _switch.ReadAsync(cancellationToken);

    /// <summary>
    /// Switches the OAuth2 authorization server on or off. While it is off its endpoints answer 404, its access tokens
    /// are refused, and clients cannot be created or changed; switching it on again makes unexpired, unrevoked tokens
    /// valid again. This instance sees the change on its next request; other instances within
    /// <c>OAuth2.StateRefreshInterval</c>.
    /// </summary>
    /// <param name="enabled">On or off.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success with the new settings, or Conflict when another change came first.</returns>
    public async ValueTask<(OAuthStoreResult Result, VezaSignInSettings Settings)> SetOAuth2EnabledAsync(bool enabled, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (result, settings) = await _switch.SetAsync(enabled, actor.Subject, cancellationToken).ConfigureAwait(false);
        await _audit.WriteAsync(actor.Event(enabled ? "oauth2_server.enable" : "oauth2_server.disable",
            result == OAuthStoreResult.Success ? "success" : "conflict", "sign_in_settings", null, null, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return (result, settings);
    }
}
