using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>What an OAuth2 app should be, when it is registered or edited.</summary>
public sealed record OAuthAppDraft
{
    /// <summary>The Client Name users see on the consent page.</summary>
    public required string Name { get; init; }

    /// <summary>The team that registers the app (its administrators manage it). The app acts in its users' teams.</summary>
    public required string TeamId { get; init; }

    /// <summary>The app's Base URL: redirect URIs must use its scheme and lie in its host or a subdomain.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>The redirect URIs, matched character for character at authorization.</summary>
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    /// <summary>The scopes the app may ask for: permission names, and <c>offline_access</c> for refresh tokens.</summary>
    public required IReadOnlyList<string> AllowedScopes { get; init; }

    /// <summary>A public app holds no secret and authenticates with PKCE alone. Chosen at registration only.</summary>
    public bool IsPublic { get; init; }

    /// <summary>Discouraged: accept any http(s) redirect URI. Turning it on is audited and logged as a warning.</summary>
    public bool AllowAnyRedirectUri { get; init; }

    /// <summary>Let registered loopback redirect URIs match with any port, for native apps (RFC 8252 §7.3).</summary>
    public bool AllowLoopbackRedirectUris { get; init; }

    /// <summary>How long the app's access tokens live; default <see cref="OAuthServerOptions.DefaultAccessTokenLifetime"/>.</summary>
    public TimeSpan? AccessTokenLifetime { get; init; }

    /// <summary>A chosen client id (for seeding); default a random one. At registration only.</summary>
    public string? ClientId { get; init; }

    /// <summary>A chosen first secret (for seeding), 32 to 256 characters; default a generated one. At registration only.</summary>
    public string? Secret { get; init; }
}

/// <summary>
/// Registers and manages OAuth2 apps: third-party applications that act for a user who signed in and consented.
/// Secrets rotate as for clients. Revoking or deleting an app revokes every grant it holds, so its access tokens and
/// refresh tokens stop working (reinstating it does not bring them back). Every change is audited here.
/// </summary>
public sealed class OAuthAppService
{
    private const int MaxRedirectUris = 20;
    private const int MaxUriLength = 2000;
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

    /// <summary>Finds an app.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The app, or <see langword="null"/> (also for a client that is not an app).</returns>
    public ValueTask<OAuthClientRecord?> FindAsync(string appId, CancellationToken cancellationToken)
        => _registry.FindAsync(OAuthClientKind.App, appId, cancellationToken);

    /// <summary>Lists apps.</summary>
    /// <param name="query">The filter and cursor.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page.</returns>
    public ValueTask<OAuthClientPage> ListAsync(OAuthClientQuery query, CancellationToken cancellationToken)
        => _registry.ListAsync(OAuthClientKind.App, query, cancellationToken);

    /// <summary>Registers an app; a confidential app gets its first secret, shown once.</summary>
    /// <param name="draft">What the app should be.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The app and its secret, or why not.</returns>
    public async ValueTask<OAuthClientChange> CreateAsync(OAuthAppDraft draft, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(actor);
        var refused = Validate(draft, out var name, out var scopes, out var settings, out var lifetime);
        if (refused is null && draft.ClientId is not null && !ClientSecretVerifier.IsPlausible(draft.ClientId))
        {
            refused = Invalid("client_id must be 1 to 64 ASCII letters, digits, '-', '_' or '.'.");
        }

        if (refused is null && draft.Secret is not null && (draft.IsPublic || draft.Secret.Length is < 32 or > 256))
        {
            refused = Invalid(draft.IsPublic ? "a public app has no secret." : "a chosen secret must be 32 to 256 characters.");
        }

        refused ??= await _registry.RefuseUnknownTeamAsync(draft.TeamId, cancellationToken).ConfigureAwait(false);
        refused = await _registry.RefuseWhileOffAsync(cancellationToken).ConfigureAwait(false) ?? refused;
        if (refused is not null)
        {
            await _registry.AuditAsync(OAuthClientKind.App, actor, "oauth2_app.create", refused, draft.ClientId, draft.TeamId, cancellationToken).ConfigureAwait(false);
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
            CreatedBy = actor.Subject,
        };
        var change = await _registry.StoreNewAsync(app, draft.Secret, null, withSecret: !draft.IsPublic, actor, cancellationToken).ConfigureAwait(false);
        if (change.Result == OAuthClientResult.Success && settings.AllowAnyRedirectUri)
        {
            await WarnAnyRedirectAsync(app.Id, app.TeamId, actor, cancellationToken).ConfigureAwait(false);
        }

        return change;
    }

    /// <summary>Edits an app's name, Base URL, redirect URIs, allowed scopes, redirect switches and token lifetime.
    /// Whether it is public cannot change.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="draft">What the app should be now (its team, client id and secret are ignored).</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public async ValueTask<OAuthClientChange> UpdateAsync(string appId, OAuthAppDraft draft, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(actor);
        var current = await FindAsync(appId, cancellationToken).ConfigureAwait(false);
        var refused = Validate(draft, out var name, out var scopes, out var settings, out _);
        if (refused is null && current is not null && current.App!.IsPublic != draft.IsPublic)
        {
            refused = Invalid("is_public is chosen at registration and cannot change.");
        }

        if (refused is not null)
        {
            await _registry.AuditAsync(OAuthClientKind.App, actor, "oauth2_app.update", refused, current?.Id, current?.TeamId, cancellationToken).ConfigureAwait(false);
            return refused;
        }

        var change = await _registry.ChangeWhileOnAsync(OAuthClientKind.App, appId, "oauth2_app.update", actor,
            ct => _store.UpdateAppAsync(appId, name, scopes, settings, ct), cancellationToken).ConfigureAwait(false);
        if (change.Result == OAuthClientResult.Success && settings.AllowAnyRedirectUri && current?.App?.AllowAnyRedirectUri != true)
        {
            await WarnAnyRedirectAsync(appId, current?.TeamId, actor, cancellationToken).ConfigureAwait(false);
        }

        return change;
    }

    /// <summary>Adds a secret to a confidential app (two at most, for rotation).</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="expiresAt">When the secret stops working, or <see langword="null"/>.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The secret (shown once) and its id, or why not.</returns>
    public async ValueTask<OAuthClientChange> AddSecretAsync(string appId, DateTimeOffset? expiresAt, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        if (await FindAsync(appId, cancellationToken).ConfigureAwait(false) is { App.IsPublic: true } app)
        {
            var refused = Invalid("a public app has no secret.");
            await _registry.AuditAsync(OAuthClientKind.App, actor, "oauth2_app.secret.add", refused, app.Id, app.TeamId, cancellationToken).ConfigureAwait(false);
            return refused;
        }

        return await _registry.AddSecretAsync(OAuthClientKind.App, appId, expiresAt, actor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a secret of an app.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="secretId">The secret id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> RemoveSecretAsync(string appId, string secretId, VezaAuditActor actor, CancellationToken cancellationToken)
        => _registry.ChangeWhileOnAsync(OAuthClientKind.App, appId, "oauth2_app.secret.remove", actor, ct => _store.RemoveSecretAsync(appId, secretId, ct), cancellationToken);

    /// <summary>Revokes an app: it cannot authorize users or get tokens, and every grant it holds is revoked, so its
    /// access tokens and refresh tokens stop working for good.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    /// <remarks>The app is made inactive first, so it starts no new grant, then its grants are revoked; both steps are
    /// idempotent, so a retry after a failure halfway finishes the job.</remarks>
    public ValueTask<OAuthClientChange> RevokeAsync(string appId, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return _registry.ChangeWhileOnAsync(OAuthClientKind.App, appId, "oauth2_app.revoke", actor, async ct =>
        {
            var result = await _store.SetStatusAsync(appId, OAuthClientStatus.Inactive, actor.Subject, ct).ConfigureAwait(false);
            if (result == OAuthStoreResult.Success)
            {
                await RevokeGrantsAsync(new OAuthGrantFilter { AppId = appId }, ct).ConfigureAwait(false);
            }

            return result;
        }, cancellationToken);
    }

    /// <summary>Reinstates a revoked app; the grants revoked with it stay revoked, so users authorize it again.</summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> ReinstateAsync(string appId, VezaAuditActor actor, CancellationToken cancellationToken)
        => _registry.ChangeWhileOnAsync(OAuthClientKind.App, appId, "oauth2_app.reinstate", actor,
            ct => _store.SetStatusAsync(appId, OAuthClientStatus.Active, null, ct), cancellationToken);

    /// <summary>
    /// Deletes an app with its grants and its users' consents. The steps run in an order that a retry always finishes:
    /// the grants are revoked and the consents removed (both idempotent) before the app itself is deleted, so a failure
    /// halfway leaves the app in place for the retry, never grants that outlive it.
    /// </summary>
    /// <param name="appId">The app's client id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> DeleteAsync(string appId, VezaAuditActor actor, CancellationToken cancellationToken)
        => _registry.ChangeWhileOnAsync(OAuthClientKind.App, appId, "oauth2_app.delete", actor, async ct =>
        {
            await RevokeGrantsAsync(new OAuthGrantFilter { AppId = appId }, ct).ConfigureAwait(false);
            if (_consents is not null)
            {
                await _consents.RemoveAsync(null, appId, ct).ConfigureAwait(false);
            }

            return await _store.DeleteAsync(appId, ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// Withdraws a user's consent to an app: every grant of the user to the app is revoked (access tokens fail on the
    /// next request, refresh tokens at once), then the consent is removed. In that order, a failure halfway leaves the
    /// consent in place, so a retry finds it and finishes; nothing is ever left with its grants live.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="appId">The app's client id.</param>
    /// <param name="actor">Who asks (the user).</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>How many consents (one per team) were withdrawn; 0 when the user had not consented to the app.</returns>
    public async ValueTask<int> WithdrawConsentAsync(string userId, string appId, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(actor);
        if (_consents is null || !ClientSecretVerifier.IsPlausible(appId)
            || (await _consents.ListAsync(userId, appId, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return 0;
        }

        await RevokeGrantsAsync(new OAuthGrantFilter { AppId = appId, UserId = userId }, cancellationToken).ConfigureAwait(false);
        var removed = await _consents.RemoveAsync(userId, appId, cancellationToken).ConfigureAwait(false);
        await _registry.AuditAsync(OAuthClientKind.App, actor, "oauth2.consent.withdraw", new OAuthClientChange(OAuthClientResult.Success), appId, null,
            cancellationToken).ConfigureAwait(false);
        return removed;
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

    private async ValueTask WarnAnyRedirectAsync(string appId, string? teamId, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        Log.AppAllowsAnyRedirectUri(_logger, appId, actor.Subject);
        await _registry.AuditAsync(OAuthClientKind.App, actor, "oauth2_app.allow_any_redirect_uri", new OAuthClientChange(OAuthClientResult.Success), appId, teamId,
            cancellationToken).ConfigureAwait(false);
    }

    private OAuthClientChange? Validate(OAuthAppDraft draft, out string name, out string[] scopes, out OAuthAppSettings settings, out TimeSpan lifetime)
    {
        scopes = [.. (draft.AllowedScopes ?? []).Distinct(StringComparer.Ordinal)];
        settings = new OAuthAppSettings
        {
            BaseUrl = draft.BaseUrl ?? string.Empty,
            RedirectUris = [.. (draft.RedirectUris ?? []).Distinct(StringComparer.Ordinal)],
            IsPublic = draft.IsPublic,
            AllowAnyRedirectUri = draft.AllowAnyRedirectUri,
            AllowLoopbackRedirectUris = draft.AllowLoopbackRedirectUris,
        };
        var oauth = _options.OAuth2;
        lifetime = draft.AccessTokenLifetime ?? (oauth.DefaultAccessTokenLifetime < oauth.MaxAccessTokenLifetime ? oauth.DefaultAccessTokenLifetime : oauth.MaxAccessTokenLifetime);
        if (!Veza.Authentication.ApiKeys.ApiKeyService.TryNormalizeName(draft.Name, out name))
        {
            return Invalid("name must be " + ApiKeyService.NameRule + ".");
        }

        if (string.IsNullOrWhiteSpace(draft.TeamId))
        {
            return Invalid("team_id is required.");
        }

        if (!RedirectUriRules.TryParseBaseUrl(settings.BaseUrl, out var baseUri))
        {
            return Invalid("base_url must be an absolute https URL (http only for a loopback host) without user info, query or fragment, in RFC 3986 characters (an internationalised host in its punycode form).");
        }

        if (settings.RedirectUris.Count == 0 && !settings.AllowAnyRedirectUri)
        {
            return Invalid("an app needs at least one redirect URI.");
        }

        if (settings.RedirectUris.Count > MaxRedirectUris)
        {
            return Invalid($"an app may register at most {MaxRedirectUris} redirect URIs.");
        }

        foreach (var uri in settings.RedirectUris)
        {
            var problem = uri.Length > MaxUriLength ? "is too long" : RedirectUriRules.CheckRegistered(uri, baseUri, settings.AllowLoopbackRedirectUris);
            if (problem is not null)
            {
                return Invalid($"redirect URI '{Shorten(uri)}' {problem}.");
            }
        }

        var known = _options.Roles.Values.SelectMany(p => p).ToHashSet(StringComparer.Ordinal);
        known.Add(OAuthServerOptions.OfflineAccessScope);
        foreach (var scope in scopes)
        {
            if (!known.Contains(scope))
            {
                return Invalid($"scope '{Shorten(scope)}' is not a permission of this service.");
            }
        }

        if (scopes.Length == 0)
        {
            return Invalid("an app needs at least one allowed scope.");
        }

        if (lifetime <= TimeSpan.Zero || lifetime > oauth.MaxAccessTokenLifetime)
        {
            return Invalid($"access_token_lifetime must be from 1 to {(int)oauth.MaxAccessTokenLifetime.TotalSeconds} seconds.");
        }

        return null;
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";

    private static OAuthClientChange Invalid(string error) => new(OAuthClientResult.Invalid, Error: error);
}
