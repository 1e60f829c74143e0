using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>What a new client should be. Unset values take their defaults.</summary>
public sealed record OAuthClientDraft
{
    /// <summary>The display name (as for API keys: 1 to 128 characters, NFC-normalized, without control or format characters).</summary>
    public required string Name { get; init; }

    /// <summary>The team the client acts in.</summary>
    public required string TeamId { get; init; }

    /// <summary>The role it holds in the team. Default: the team-key role.</summary>
    public string? Role { get; init; }

    /// <summary>The scopes it may ask for; each must be a permission of its role. Default: every permission of the role.</summary>
    public IReadOnlyList<string>? AllowedScopes { get; init; }

    /// <summary>The lifetime of its access tokens. Default: <see cref="OAuthServerOptions.DefaultAccessTokenLifetime"/>.</summary>
    public TimeSpan? AccessTokenLifetime { get; init; }

    /// <summary>When the first secret stops working; <see langword="null"/> for never.</summary>
    public DateTimeOffset? SecretExpiresAt { get; init; }

    /// <summary>A chosen client id (seed data); default a new random one.</summary>
    public string? ClientId { get; init; }

    /// <summary>A chosen first secret (seed data, at least 32 characters); default a new random one.</summary>
    public string? Secret { get; init; }
}

/// <summary>The outcome of a client operation.</summary>
public enum OAuthClientResult
{
    /// <summary>Done.</summary>
    Success = 0,

    /// <summary>No such client (or secret).</summary>
    NotFound = 1,

    /// <summary>Another client of the team has that name.</summary>
    DuplicateName = 2,

    /// <summary>The client id is taken.</summary>
    Conflict = 3,

    /// <summary>The team holds as many clients as allowed, or the client as many secrets.</summary>
    QuotaExceeded = 4,

    /// <summary>A value is not acceptable; see the error text.</summary>
    Invalid = 5,

    /// <summary>The OAuth2 authorization server is off: clients cannot be created or changed.</summary>
    ServerOff = 6,

    /// <summary>The team does not exist in the host's directory.</summary>
    UnknownTeam = 7,
}

/// <summary>The outcome of a create or of adding a secret; <see cref="Secret"/> is shown once and never stored.</summary>
/// <param name="Result">The outcome.</param>
/// <param name="Client">The client as stored, on success.</param>
/// <param name="Secret">The new secret, on success.</param>
/// <param name="SecretId">The new secret's id, on success.</param>
/// <param name="Error">Why a value was refused, for <see cref="OAuthClientResult.Invalid"/>.</param>
public sealed record OAuthClientChange(OAuthClientResult Result, OAuthClientRecord? Client = null, string? Secret = null, string? SecretId = null, string? Error = null);

/// <summary>
/// Registers and manages OAuth2 clients. Every change is audited here (so a host calling the service directly leaves a
/// trail too) and is seen by this instance's next request: checks of the client's secrets and its tokens' view of it
/// are forgotten whatever the store answered. Changes are refused while the authorization server is off.
/// </summary>
public sealed class OAuthClientService
{
    private const string TargetKind = "oauth2_client";
    private readonly IOAuthClientStore _store;
    private readonly StoredSecrets _secrets;
    private readonly ClientSecretVerifier _verifier;
    private readonly ClientStates _states;
    private readonly OAuthServerSwitch _switch;
    private readonly VezaPrincipalResolver _roles;
    private readonly IVezaAuditSink _audit;
    private readonly ClientUsageRecorder _usage;
    private readonly TimeProvider _time;
    private readonly VezaAuthenticationOptions _options;

    internal OAuthClientService(
        IOAuthClientStore store,
        StoredSecrets secrets,
        ClientSecretVerifier verifier,
        ClientStates states,
        OAuthServerSwitch serverSwitch,
        VezaPrincipalResolver roles,
        IVezaAuditSink audit,
        ClientUsageRecorder usage,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time)
    {
        _usage = usage;
        _store = store;
        _secrets = secrets;
        _verifier = verifier;
        _states = states;
        _switch = serverSwitch;
        _roles = roles;
        _audit = audit;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Finds a client.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The client or <see langword="null"/>.</returns>
    public ValueTask<OAuthClientRecord?> FindAsync(string clientId, CancellationToken cancellationToken)
        => FindAsync(OAuthClientKind.Client, clientId, cancellationToken);

    internal async ValueTask<OAuthClientRecord?> FindAsync(OAuthClientKind kind, string clientId, CancellationToken cancellationToken)
        => ClientSecretVerifier.IsPlausible(clientId) && await _store.FindByIdAsync(clientId, cancellationToken).ConfigureAwait(false) is { } client
            && client.Kind == kind
            ? WithPendingUse(client)
            : null;

    /// <summary>Lists clients.</summary>
    /// <param name="query">The filter and cursor.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page.</returns>
    public ValueTask<OAuthClientPage> ListAsync(OAuthClientQuery query, CancellationToken cancellationToken)
        => ListAsync(OAuthClientKind.Client, query, cancellationToken);

    internal async ValueTask<OAuthClientPage> ListAsync(OAuthClientKind kind, OAuthClientQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = await _store.ListAsync(query with { Kind = kind }, cancellationToken).ConfigureAwait(false);
        return page with { Items = [.. page.Items.Select(WithPendingUse)] };
    }

    // Times not yet written to the store (they are written in batches) are shown already.
    private OAuthClientRecord WithPendingUse(OAuthClientRecord client)
        => _usage.GetPending(client.Id) is { } at && (client.LastUsedAt is null || at > client.LastUsedAt) ? client with { LastUsedAt = at } : client;

    /// <summary>Registers a client with its first secret.</summary>
    /// <param name="draft">What the client should be.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The client and its secret (shown once), or why not.</returns>
    public async ValueTask<OAuthClientChange> CreateAsync(OAuthClientDraft draft, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(actor);
        var refused = Validate(draft, out var name, out var role, out var scopes, out var lifetime);
        refused ??= await RefuseUnknownTeamAsync(draft.TeamId, cancellationToken).ConfigureAwait(false);
        refused = await RefuseWhileOffAsync(cancellationToken).ConfigureAwait(false) ?? refused;
        if (refused is not null)
        {
            await AuditAsync(OAuthClientKind.Client, actor, "oauth2_client.create", refused, draft.ClientId, draft.TeamId, cancellationToken).ConfigureAwait(false);
            return refused;
        }

        var client = new OAuthClientRecord
        {
            Id = draft.ClientId ?? ApiKeyFormat.NewKeyId(),
            Name = name,
            TeamId = draft.TeamId,
            Role = role,
            AllowedScopes = scopes,
            AccessTokenLifetime = lifetime,
            Status = OAuthClientStatus.Active,
            Secrets = [],
            CreatedBy = actor.Subject,
        };
        return await StoreNewAsync(client, draft.Secret, draft.SecretExpiresAt, withSecret: true, actor, cancellationToken).ConfigureAwait(false);
    }

    // Stores a new client or app, with its first secret unless it is a public app, and audits the outcome.
    internal async ValueTask<OAuthClientChange> StoreNewAsync(OAuthClientRecord client, string? chosenSecret, DateTimeOffset? secretExpiresAt, bool withSecret,
        VezaAuditActor actor, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        string? secretId = null, secret = null;
        if (withSecret)
        {
            (secretId, secret) = NewSecret(chosenSecret);
            var hash = await _secrets.HashAsync(secret, cancellationToken).ConfigureAwait(false);
            client = client with { Secrets = [new OAuthClientSecretRecord(secretId, hash, now, secretExpiresAt)] };
        }

        client = client with { CreatedAt = now };
        var stored = await _store.CreateAsync(client, _options.OAuth2.MaxClientsPerTeam, cancellationToken).ConfigureAwait(false);
        var change = stored == OAuthStoreResult.Success ? new OAuthClientChange(OAuthClientResult.Success, client, secret, secretId) : new OAuthClientChange(Map(stored));
        await AuditAsync(client.Kind, actor, Action(client.Kind, "create"), change, client.Id, client.TeamId, cancellationToken).ConfigureAwait(false);
        return change;
    }

    /// <summary>Adds a secret (at most two at once: add the new one, switch the client over, remove the old one).</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="expiresAt">When the secret stops working, or <see langword="null"/> for never.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The secret (shown once) and its id, or why not.</returns>
    public ValueTask<OAuthClientChange> AddSecretAsync(string clientId, DateTimeOffset? expiresAt, VezaAuditActor actor, CancellationToken cancellationToken)
        => AddSecretAsync(OAuthClientKind.Client, clientId, expiresAt, actor, cancellationToken);

    internal async ValueTask<OAuthClientChange> AddSecretAsync(OAuthClientKind kind, string clientId, DateTimeOffset? expiresAt, VezaAuditActor actor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var action = Action(kind, "secret.add");
        var refused = await RefuseWhileOffAsync(cancellationToken).ConfigureAwait(false);
        if (refused is null && expiresAt is { } at && at <= _time.GetUtcNow())
        {
            refused = new OAuthClientChange(OAuthClientResult.Invalid, Error: "expires_at must be in the future.");
        }

        if (refused is not null)
        {
            await AuditAsync(kind, actor, action, refused, clientId, null, cancellationToken).ConfigureAwait(false);
            return refused;
        }

        var (secretId, secret) = NewSecret(null);
        var hash = await _secrets.HashAsync(secret, cancellationToken).ConfigureAwait(false);
        var change = await ChangeAsync(kind, clientId, action, actor,
            ct => _store.AddSecretAsync(clientId, new OAuthClientSecretRecord(secretId, hash, _time.GetUtcNow(), expiresAt), ct), cancellationToken).ConfigureAwait(false);
        return change.Result == OAuthClientResult.Success ? change with { Secret = secret, SecretId = secretId } : change;
    }

    /// <summary>Removes a secret; tokens got with it are refused from the next request on.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="secretId">The secret id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> RemoveSecretAsync(string clientId, string secretId, VezaAuditActor actor, CancellationToken cancellationToken)
        => ChangeWhileOnAsync(OAuthClientKind.Client, clientId, "oauth2_client.secret.remove", actor, ct => _store.RemoveSecretAsync(clientId, secretId, ct), cancellationToken);

    /// <summary>Revokes a client: it cannot get tokens, and the tokens it holds are refused.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> RevokeAsync(string clientId, VezaAuditActor actor, CancellationToken cancellationToken)
        => ChangeWhileOnAsync(OAuthClientKind.Client, clientId, "oauth2_client.revoke", actor, ct => _store.SetStatusAsync(clientId, OAuthClientStatus.Inactive, actor.Subject, ct), cancellationToken);

    /// <summary>Reinstates a revoked client; its unexpired, unrevoked tokens are accepted again.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> ReinstateAsync(string clientId, VezaAuditActor actor, CancellationToken cancellationToken)
        => ChangeWhileOnAsync(OAuthClientKind.Client, clientId, "oauth2_client.reinstate", actor, ct => _store.SetStatusAsync(clientId, OAuthClientStatus.Active, null, ct), cancellationToken);

    /// <summary>Renames a client.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="name">The new name.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public async ValueTask<OAuthClientChange> RenameAsync(string clientId, string name, VezaAuditActor actor, CancellationToken cancellationToken)
    {
        if (!ApiKeyService.TryNormalizeName(name, out var normalized))
        {
            var invalid = new OAuthClientChange(OAuthClientResult.Invalid, Error: "name must be " + ApiKeyService.NameRule + ".");
            await AuditAsync(OAuthClientKind.Client, actor, "oauth2_client.rename", invalid, clientId, null, cancellationToken).ConfigureAwait(false);
            return invalid;
        }

        return await ChangeWhileOnAsync(OAuthClientKind.Client, clientId, "oauth2_client.rename", actor, ct => _store.RenameAsync(clientId, normalized, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a client; the tokens it holds are refused from the next request on.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> DeleteAsync(string clientId, VezaAuditActor actor, CancellationToken cancellationToken)
        => ChangeWhileOnAsync(OAuthClientKind.Client, clientId, "oauth2_client.delete", actor, ct => _store.DeleteAsync(clientId, ct), cancellationToken);

    internal async ValueTask<OAuthClientChange> ChangeWhileOnAsync(OAuthClientKind kind, string clientId, string action, VezaAuditActor actor,
        Func<CancellationToken, ValueTask<OAuthStoreResult>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (await RefuseWhileOffAsync(cancellationToken).ConfigureAwait(false) is { } refused)
        {
            await AuditAsync(kind, actor, action, refused, clientId, null, cancellationToken).ConfigureAwait(false);
            return refused;
        }

        return await ChangeAsync(kind, clientId, action, actor, write, cancellationToken).ConfigureAwait(false);
    }

    // A change to a registration of the given kind: a client's id never reaches an app's operation, nor the reverse.
    private async ValueTask<OAuthClientChange> ChangeAsync(OAuthClientKind kind, string clientId, string action, VezaAuditActor actor,
        Func<CancellationToken, ValueTask<OAuthStoreResult>> write, CancellationToken cancellationToken)
    {
        if (!ClientSecretVerifier.IsPlausible(clientId) || await _store.FindByIdAsync(clientId, cancellationToken).ConfigureAwait(false) is not { } current
            || current.Kind != kind)
        {
            var missing = new OAuthClientChange(OAuthClientResult.NotFound);
            await AuditAsync(kind, actor, action, missing, ClientSecretVerifier.IsPlausible(clientId) ? clientId : null, null, cancellationToken).ConfigureAwait(false);
            return missing;
        }

        OAuthClientChange change;
        try
        {
            change = new OAuthClientChange(Map(await write(cancellationToken).ConfigureAwait(false)));
        }
        finally
        {
            // Whatever the store answered (a write may commit and still time out), this instance reads the client again.
            _verifier.Evict(clientId);
            _states.Evict(clientId);
        }

        if (change.Result == OAuthClientResult.Success && !action.EndsWith(".delete", StringComparison.Ordinal))
        {
            change = change with { Client = await _store.FindByIdAsync(clientId, cancellationToken).ConfigureAwait(false) };
        }

        await AuditAsync(kind, actor, action, change, clientId, change.Client?.TeamId ?? current.TeamId, cancellationToken).ConfigureAwait(false);
        return change;
    }

    internal static string Action(OAuthClientKind kind, string verb) => (kind == OAuthClientKind.App ? "oauth2_app." : "oauth2_client.") + verb;

    // A client of a team that does not exist would start working if a team with that id appeared later.
    internal async ValueTask<OAuthClientChange?> RefuseUnknownTeamAsync(string teamId, CancellationToken cancellationToken)
        => await _roles.TeamExistsAsync(teamId, cancellationToken).ConfigureAwait(false) ? null : new OAuthClientChange(OAuthClientResult.UnknownTeam);

    internal async ValueTask<OAuthClientChange?> RefuseWhileOffAsync(CancellationToken cancellationToken)
        => (await _switch.ReadAsync(cancellationToken).ConfigureAwait(false)).OAuth2Enabled ? null : new OAuthClientChange(OAuthClientResult.ServerOff);

    private OAuthClientChange? Validate(OAuthClientDraft draft, out string name, out string role, out string[] scopes, out TimeSpan lifetime)
    {
        role = draft.Role ?? _options.TeamKeyRole;
        scopes = [];
        lifetime = draft.AccessTokenLifetime ?? (_options.OAuth2.DefaultAccessTokenLifetime < _options.OAuth2.MaxAccessTokenLifetime
            ? _options.OAuth2.DefaultAccessTokenLifetime : _options.OAuth2.MaxAccessTokenLifetime);
        if (!ApiKeyService.TryNormalizeName(draft.Name, out name))
        {
            return Invalid("name must be " + ApiKeyService.NameRule + ".");
        }

        if (string.IsNullOrWhiteSpace(draft.TeamId))
        {
            return Invalid("team_id is required.");
        }

        if (!_options.Roles.ContainsKey(role))
        {
            return Invalid($"role '{role}' is not a role of this service.");
        }

        var granted = _roles.PermissionsOf(role);
        scopes = draft.AllowedScopes is null ? [.. granted] : [.. draft.AllowedScopes.Distinct(StringComparer.Ordinal)];
        foreach (var scope in scopes)
        {
            if (!granted.Contains(scope, StringComparer.Ordinal))
            {
                return Invalid($"scope '{scope}' is not a permission of role '{role}'.");
            }
        }

        if (scopes.Length == 0)
        {
            return Invalid("a client needs at least one allowed scope.");
        }

        if (lifetime <= TimeSpan.Zero || lifetime > _options.OAuth2.MaxAccessTokenLifetime)
        {
            return Invalid($"access_token_lifetime must be from 1 to {(int)_options.OAuth2.MaxAccessTokenLifetime.TotalSeconds} seconds.");
        }

        if (draft.ClientId is not null && !ClientSecretVerifier.IsPlausible(draft.ClientId))
        {
            return Invalid("client_id must be 1 to 64 ASCII letters, digits, '-', '_' or '.'.");
        }

        if (draft.Secret is not null && draft.Secret.Length is < 32 or > 256)
        {
            return Invalid("a chosen secret must be 32 to 256 characters.");
        }

        if (draft.SecretExpiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            return Invalid("the secret's expiry must be in the future.");
        }

        return null;

        static OAuthClientChange Invalid(string error) => new(OAuthClientResult.Invalid, Error: error);
    }

    // A new secret in the library's format names its own id; a chosen (seeded) secret gets a random id.
    private (string Id, string Secret) NewSecret(string? chosen)
    {
        var id = ApiKeyFormat.NewKeyId();
        return (id, chosen ?? ApiKeyFormat.Generate(_options.OAuth2.ClientSecretPrefix, id));
    }

    internal static OAuthClientResult Map(OAuthStoreResult result) => result switch
    {
        OAuthStoreResult.Success => OAuthClientResult.Success,
        OAuthStoreResult.NotFound => OAuthClientResult.NotFound,
        OAuthStoreResult.DuplicateName => OAuthClientResult.DuplicateName,
        OAuthStoreResult.QuotaExceeded => OAuthClientResult.QuotaExceeded,
        _ => OAuthClientResult.Conflict,
    };

    internal ValueTask AuditAsync(OAuthClientKind kind, VezaAuditActor actor, string action, OAuthClientChange change, string? clientId, string? teamId,
        CancellationToken cancellationToken)
        => _audit.WriteAsync(actor.Event(action, change.Result == OAuthClientResult.Success ? "success" : ToSnake(change.Result),
            kind == OAuthClientKind.App ? "oauth2_app" : TargetKind, clientId, teamId, _time.GetUtcNow()), cancellationToken);

    private static string ToSnake(OAuthClientResult result) => result switch
    {
        OAuthClientResult.NotFound => "not_found",
        OAuthClientResult.DuplicateName => "duplicate_name",
        OAuthClientResult.QuotaExceeded => "quota_exceeded",
        OAuthClientResult.Invalid => "invalid",
        OAuthClientResult.ServerOff => "server_off",
        OAuthClientResult.UnknownTeam => "unknown_team",
        _ => "conflict",
    };
}
