using Veza.Authentication.Diagnostics;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Reads and changes the sign-in settings ("OAuth2 Authorization Server" on or off) at run time, for every instance
/// that shares the settings store. Only administrators of the root team (and <see cref="VezaCaller.Host"/>) read or
/// change them; changes, and refused attempts to change them, are audited here.
/// </summary>
public sealed class SignInSettingsService
{
    private const string NotManagerMessage = "Only a user's credential can manage sign-in settings.";
    private readonly OAuthServerSwitch _switch;
    private readonly IVezaAuditSink _audit;
    private readonly TimeProvider _time;

    internal SignInSettingsService(OAuthServerSwitch serverSwitch, IVezaAuditSink audit, TimeProvider time)
    {
        _switch = serverSwitch;
        _audit = audit;
        _time = time;
    }

    /// <summary>The settings as stored now, for an administrator of the root team.</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The settings, or Forbidden.</returns>
    public async ValueTask<SignInSettingsOutcome> GetAsync(VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return Refusal(caller, "see") is { } refused
            ? new SignInSettingsOutcome(SignInSettingsResult.Forbidden, null, refused)
            : new SignInSettingsOutcome(SignInSettingsResult.Success, await _switch.ReadAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Switches the OAuth2 authorization server on or off, for an administrator of the root team. While it is off its
    /// endpoints answer 404, its access tokens are refused, and clients cannot be created or changed; switching it on
    /// again makes unexpired, unrevoked tokens valid again. This instance sees the change on its next request; other
    /// instances within <c>Stores.ChangePollInterval</c> (through the change feed).
    /// </summary>
    /// <param name="enabled">On or off.</param>
    /// <param name="caller">Who asks; recorded as who changed the settings.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Success with the new settings, Conflict when another change came first, or Forbidden.</returns>
    public async ValueTask<SignInSettingsOutcome> SetOAuth2EnabledAsync(bool enabled, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var action = enabled ? VezaAuditActions.OAuthServerEnable : VezaAuditActions.OAuthServerDisable;
        if (Refusal(caller, "change") is { } refused)
        {
            await AuditAsync(caller, action, "permission_denied", cancellationToken).ConfigureAwait(false);
            return new SignInSettingsOutcome(SignInSettingsResult.Forbidden, null, refused);
        }

        var (result, settings) = await _switch.SetAsync(enabled, caller.Subject, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, action, result == OAuthStoreResult.Success ? "success" : "conflict", cancellationToken).ConfigureAwait(false);
        return new SignInSettingsOutcome(result == OAuthStoreResult.Success ? SignInSettingsResult.Success : SignInSettingsResult.Conflict, settings);
    }

    private static string? Refusal(VezaCaller caller, string verb)
        => !caller.MayManage ? NotManagerMessage
            : caller.IsHost || caller.IsRootAdministrator ? null
            : $"Only administrators of the root team {verb} the sign-in settings.";

    private ValueTask AuditAsync(VezaCaller caller, string action, string outcome, CancellationToken cancellationToken)
        => _audit.WriteAsync(caller.AuditActor().Event(action, outcome, "sign_in_settings", null, null, _time.GetUtcNow()), cancellationToken);
}
