using Veza.Authentication.Principals;
using Veza.Authentication.Stores;
using Veza.Authentication.Diagnostics;

namespace Veza.Authentication.OAuth2;

/// <summary>A user's consents to apps: seen and withdrawn by the user themselves, with their own credential, or by the host.</summary>
public sealed partial class OAuthAppService
{
    private const string ConsentsNotManagerMessage = "Only a user's credential can manage OAuth2 consents.";

    /// <summary>Lists a user's consents, with the apps they were given to. A person sees only their own; team keys,
    /// clients and apps (even acting for the user) see none.</summary>
    /// <param name="userId">Whose consents: <see langword="null"/> for the caller's own. The host must name a user.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The consents, or why not.</returns>
    public async ValueTask<OAuthConsentListing> ListConsentsAsync(string? userId, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (user, refused) = ConsentHolder(userId, caller);
        if (refused is not null)
        {
            return new OAuthConsentListing(refused.Result, [], refused.Error);
        }

        if (_consents is null)
        {
            return new OAuthConsentListing(OAuthClientResult.Success, []);
        }

        var consents = await _consents.ListAsync(user!, null, cancellationToken).ConfigureAwait(false);
        var entries = new List<OAuthConsentEntry>(consents.Count);
        foreach (var consent in consents)
        {
            // The user sees the name of every app they consented to, whoever manages it.
            entries.Add(new OAuthConsentEntry(consent, await _registry.FindStoredAsync(OAuthClientKind.App, consent.AppId, cancellationToken).ConfigureAwait(false)));
        }

        return new OAuthConsentListing(OAuthClientResult.Success, entries);
    }

    /// <summary>
    /// Withdraws a user's consent to an app: every grant of the user to the app is revoked (access tokens fail on the
    /// next request, refresh tokens at once), then the consent is removed. In that order, a failure halfway leaves the
    /// consent in place, so a retry finds it and finishes; nothing is ever left with its grants live. A person
    /// withdraws only their own consents; team keys, clients and apps (even acting for the user) withdraw none.
    /// </summary>
    /// <param name="userId">Whose consent: <see langword="null"/> for the caller's own. The host must name a user.</param>
    /// <param name="appId">The app's client id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>How many consents (one per team) were withdrawn, NotFound when the user had not consented to the app,
    /// or why the caller may not.</returns>
    public async ValueTask<OAuthConsentWithdrawal> WithdrawConsentAsync(string? userId, string appId, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(caller);
        var (user, refused) = ConsentHolder(userId, caller);
        if (refused is not null)
        {
            return new OAuthConsentWithdrawal(refused.Result, 0, refused.Error);
        }

        if (_consents is null || !ClientSecretVerifier.IsPlausible(appId)
            || (await _consents.ListAsync(user!, appId, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return new OAuthConsentWithdrawal(OAuthClientResult.NotFound, 0, "No consent to that app.");
        }

        await RevokeGrantsAsync(new OAuthGrantFilter { AppId = appId, UserId = user }, cancellationToken).ConfigureAwait(false);
        var removed = await _consents.RemoveAsync(user!, appId, cancellationToken).ConfigureAwait(false);
        await _registry.AuditAsync(OAuthClientKind.App, caller, VezaAuditActions.ConsentWithdraw, new OAuthClientChange(OAuthClientResult.Success), appId, null,
            cancellationToken).ConfigureAwait(false);
        return new OAuthConsentWithdrawal(OAuthClientResult.Success, removed);
    }

    // Whose consents the caller may see and withdraw: a person's own, any user's for the host.
    private static (string? UserId, OAuthClientChange? Refused) ConsentHolder(string? userId, VezaCaller caller)
    {
        if (!caller.MayManage)
        {
            return (null, OAuthClientService.Refused(ConsentsNotManagerMessage));
        }

        if (caller.IsHost)
        {
            return string.IsNullOrEmpty(userId) ? (null, Invalid("The host must name the user whose consents it means.")) : (userId, null);
        }

        return userId is null || userId == caller.UserId
            ? (caller.UserId, null)
            : (null, OAuthClientService.Refused("A user sees and withdraws only their own consents."));
    }

    internal async ValueTask RevokeGrantsAsync(OAuthGrantFilter filter, CancellationToken cancellationToken)
    {
        if (_grants is null)
        {
            return;
        }

        var revoked = await _grants.RevokeGrantsAsync(filter, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var grantId in revoked)
        {
            _grantStates?.Evict(grantId);
        }
    }
}
