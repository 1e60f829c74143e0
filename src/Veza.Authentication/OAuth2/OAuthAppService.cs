using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Registers and manages OAuth2 apps: third-party applications that act for a user who signed in and consented. Apps
/// act for users of every team, so only administrators of the root team (and <see cref="VezaCaller.Host"/>) manage
/// them; anyone else is refused a list or a registration, and is answered <see cref="OAuthClientResult.NotFound"/> for
/// an app. Users see and withdraw their own consents here too. Secrets rotate as for clients. Revoking or deleting an
/// app revokes every grant it holds, so its access tokens and refresh tokens stop working (reinstating it does not
/// bring them back). Every operation is audited here, as done by the caller.
/// </summary>
public sealed partial class OAuthAppService
{
    private const string RootOnlyMessage = "Only administrators of the root team manage OAuth2 apps.";
    private readonly OAuthClientService _registry;
    private readonly IOAuthClientStore _store;
    private readonly IOAuthGrantStore? _grants;
    private readonly IOAuthConsentStore? _consents;
    private readonly GrantStates? _grantStates;
    private readonly VezaAuthenticationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal OAuthAppService(
        OAuthClientService registry,
        IOAuthClientStore store,
        IOAuthGrantStore? grants,
        IOAuthConsentStore? consents,
        GrantStates? grantStates,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time,
        ILogger<OAuthAppService> logger)
    {
        _registry = registry;
        _store = store;
        _grants = grants;
        _consents = consents;
        _grantStates = grantStates;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Finds an app the caller may manage.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The app, or <see langword="null"/> (also for a client that is not an app, and for a caller who may
    /// not manage apps).</returns>
    public async ValueTask<OAuthClientRecord?> FindAsync(string appId, VezaCaller caller, CancellationToken cancellationToken)
        => (await GetAsync(appId, caller, cancellationToken).ConfigureAwait(false)).Client;

    internal ValueTask<OAuthClientChange> GetAsync(string appId, VezaCaller caller, CancellationToken cancellationToken)
        => _registry.GetAsync(OAuthClientKind.App, appId, caller, cancellationToken);

    /// <summary>Lists apps, for an administrator of the root team.</summary>
    /// <param name="query">The filter and cursor.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page, or Forbidden.</returns>
    public async ValueTask<OAuthClientListing> ListAsync(OAuthClientQuery query, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(caller);
        return RefuseUnlessRootAdministrator(caller) is { } refused
            ? new OAuthClientListing(OAuthClientResult.Forbidden, [], false, refused.Error)
            : await _registry.ListStoredAsync(OAuthClientKind.App, query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers an app, for an administrator of the root team; a confidential app gets its first secret,
    /// shown once. Refusals are audited too.</summary>
    /// <param name="draft">What the app should be; an empty <see cref="OAuthAppDraft.TeamId"/> means the caller's team.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The app and its secret, or why not.</returns>
    public async ValueTask<OAuthClientChange> CreateAsync(OAuthAppDraft draft, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(caller);
        if (string.IsNullOrEmpty(draft.TeamId) && caller.TeamId is { } own)
        {
            draft = draft with { TeamId = own };
        }

        var refused = RefuseUnlessRootAdministrator(caller);
        string name = string.Empty;
        string[] scopes = [];
        OAuthAppSettings? settings = null;
        var lifetime = TimeSpan.Zero;
        if (refused is null)
        {
            refused = Validate(draft, out name, out scopes, out settings, out lifetime) ?? RefuseSeedValues(draft)
                ?? await _registry.RefuseUnknownTeamAsync(draft.TeamId, cancellationToken).ConfigureAwait(false);
            refused = await _registry.RefuseWhileOffAsync(cancellationToken).ConfigureAwait(false) ?? refused;
        }

        if (refused is not null)
        {
            await _registry.AuditAsync(OAuthClientKind.App, caller, VezaAuditActions.OAuthAppCreate, refused, draft.ClientId, draft.TeamId, cancellationToken).ConfigureAwait(false);
            return refused;
        }

        var app = new OAuthClientRecord
        {
            Id = draft.ClientId ?? ApiKeyFormat.NewKeyId(),
            Kind = OAuthClientKind.App,
            App = settings,
            Name = name,
            TeamId = draft.TeamId,
            Role = string.Empty,
            AllowedScopes = scopes,
            AccessTokenLifetime = lifetime,
            Status = OAuthClientStatus.Active,
            Secrets = [],
            CreatedBy = caller.Subject,
        };
        var change = await _registry.StoreNewAsync(app, draft.Secret, null, withSecret: !draft.IsPublic, caller, cancellationToken).ConfigureAwait(false);
        if (change.Result == OAuthClientResult.Success && settings!.AllowAnyRedirectUri)
        {
            await WarnAnyRedirectAsync(app.Id, app.TeamId, caller, cancellationToken).ConfigureAwait(false);
        }

        return change;
    }

    private static OAuthClientChange? RefuseUnlessRootAdministrator(VezaCaller caller)
        => !caller.MayManage ? OAuthClientService.Refused(OAuthClientService.NotManagerMessage(OAuthClientKind.App))
            : caller.IsHost || caller.IsRootAdministrator ? null
            : OAuthClientService.Refused(RootOnlyMessage);

    // A chosen client id and secret are for seed data; they must still be well-formed.
    private static OAuthClientChange? RefuseSeedValues(OAuthAppDraft draft)
    {
        if (draft.ClientId is not null && !ClientSecretVerifier.IsPlausible(draft.ClientId))
        {
            return Invalid("client_id must be 1 to 64 ASCII letters, digits, '-', '_' or '.'.");
        }

        return draft.Secret is not null && (draft.IsPublic || draft.Secret.Length is < 32 or > 256)
            ? Invalid(draft.IsPublic ? "a public app has no secret." : "a chosen secret must be 32 to 256 characters.")
            : null;
    }

    /// <summary>Edits an app's name, Base URL, redirect URIs, allowed scopes and redirect switches. Whether it is
    /// public cannot change.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="draft">What the app should be now (its team, client id and secret are ignored).</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> UpdateAsync(string appId, OAuthAppDraft draft, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return EditAsync(appId, _ => draft, caller, cancellationToken);
    }

    // An update whose draft is made from the stored app, once the caller may change it (the management API's PATCH
    // keeps what the request leaves out).
    internal async ValueTask<OAuthClientChange> EditAsync(string appId, Func<OAuthClientRecord, OAuthAppDraft> edit, VezaCaller caller,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var name = string.Empty;
        string[] scopes = [];
        OAuthAppSettings? settings = null;
        var allowedAnyBefore = false;
        var change = await _registry.ChangeAsync(OAuthClientKind.App, appId, VezaAuditActions.OAuthAppUpdate, caller, current =>
        {
            var draft = edit(current) with { TeamId = current.TeamId };
            allowedAnyBefore = current.App?.AllowAnyRedirectUri == true;
            return Validate(draft, out name, out scopes, out settings, out _)
                ?? (current.App?.IsPublic != draft.IsPublic ? Invalid("is_public is chosen at registration and cannot change.") : null);
        }, (_, ct) => _store.UpdateAppAsync(appId, name, scopes, settings!, ct), cancellationToken).ConfigureAwait(false);
        if (change.Result == OAuthClientResult.Success && settings!.AllowAnyRedirectUri && !allowedAnyBefore)
        {
            await WarnAnyRedirectAsync(appId, change.Client?.TeamId, caller, cancellationToken).ConfigureAwait(false);
        }

        return change;
    }

    /// <summary>Adds a secret to a confidential app (two at most, for rotation).</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="expiresAt">When the secret stops working, or <see langword="null"/>.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The secret (shown once) and its id, or why not.</returns>
    public ValueTask<OAuthClientChange> AddSecretAsync(string appId, DateTimeOffset? expiresAt, VezaCaller caller, CancellationToken cancellationToken)
        => _registry.AddSecretAsync(OAuthClientKind.App, appId, expiresAt, caller,
            current => current.App is { IsPublic: true } ? Invalid("a public app has no secret.") : null, cancellationToken);

    /// <summary>Removes a secret of an app.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="secretId">The secret id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> RemoveSecretAsync(string appId, string secretId, VezaCaller caller, CancellationToken cancellationToken)
        => _registry.ChangeAsync(OAuthClientKind.App, appId, VezaAuditActions.OAuthAppSecretRemove, caller, null,
            (_, ct) => _store.RemoveSecretAsync(appId, secretId, ct), cancellationToken);

    /// <summary>Revokes an app: it cannot authorize users or get tokens, and every grant it holds is revoked, so its
    /// access tokens and refresh tokens stop working for good.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="caller">Who asks; recorded as who revoked it.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    /// <remarks>The app is made inactive first, so it starts no new grant, then its grants are revoked; both steps are
    /// idempotent, so a retry after a failure halfway finishes the job.</remarks>
    public ValueTask<OAuthClientChange> RevokeAsync(string appId, VezaCaller caller, CancellationToken cancellationToken)
        => _registry.ChangeAsync(OAuthClientKind.App, appId, VezaAuditActions.OAuthAppRevoke, caller, null, async (_, ct) =>
        {
            var result = await _store.SetStatusAsync(appId, OAuthClientStatus.Inactive, caller.Subject, ct).ConfigureAwait(false);
            if (result == OAuthStoreResult.Success)
            {
                await RevokeGrantsAsync(new OAuthGrantFilter { AppId = appId }, ct).ConfigureAwait(false);
            }

            return result;
        }, cancellationToken);

    /// <summary>Reinstates a revoked app; the grants revoked with it stay revoked, so users authorize it again.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> ReinstateAsync(string appId, VezaCaller caller, CancellationToken cancellationToken)
        => _registry.ChangeAsync(OAuthClientKind.App, appId, VezaAuditActions.OAuthAppReinstate, caller, null,
            (_, ct) => _store.SetStatusAsync(appId, OAuthClientStatus.Active, null, ct), cancellationToken);

    /// <summary>
    /// Deletes an app with its grants and its users' consents. The steps run in an order that a retry always finishes:
    /// the grants are revoked and the consents removed (both idempotent) before the app itself is deleted, so a failure
    /// halfway leaves the app in place for the retry, never grants that outlive it.
    /// </summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome, with the app as it was.</returns>
    public ValueTask<OAuthClientChange> DeleteAsync(string appId, VezaCaller caller, CancellationToken cancellationToken)
        => _registry.ChangeAsync(OAuthClientKind.App, appId, VezaAuditActions.OAuthAppDelete, caller, null, async (_, ct) =>
        {
            await RevokeGrantsAsync(new OAuthGrantFilter { AppId = appId }, ct).ConfigureAwait(false);
            if (_consents is not null)
            {
                await _consents.RemoveAsync(null, appId, ct).ConfigureAwait(false);
            }

            return await _store.DeleteAsync(appId, ct).ConfigureAwait(false);
        }, cancellationToken);

    private async ValueTask WarnAnyRedirectAsync(string appId, string? teamId, VezaCaller caller, CancellationToken cancellationToken)
    {
        Log.AppAllowsAnyRedirectUri(_logger, appId, caller.Subject);
        await _registry.AuditAsync(OAuthClientKind.App, caller, VezaAuditActions.OAuthAppAllowAnyRedirectUri, new OAuthClientChange(OAuthClientResult.Success), appId, teamId,
            cancellationToken).ConfigureAwait(false);
    }

    private static OAuthClientChange Invalid(string why) => OAuthClientService.Invalid(why);
}
