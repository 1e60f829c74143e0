using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Registers and manages OAuth2 clients, and decides who may: every operation takes the <see cref="VezaCaller"/> who
/// asks. Administrators only: of the root team for every team's clients, of a team for that team's; an administrator of
/// a team gives a client only a role they hold there. Members, team keys, OAuth2 clients and apps manage no client;
/// <see cref="VezaCaller.Host"/> manages every one. A client the caller may not manage is answered as
/// <see cref="OAuthClientResult.NotFound"/>.
/// Every operation is audited here, as done by the caller, and every change is seen by this instance's next request:
/// checks of the client's secrets and its tokens' view of it are forgotten whatever the store answered. Changes are
/// refused while the authorization server is off.
/// </summary>
public sealed partial class OAuthClientService
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

    /// <summary>Finds a client the caller may manage.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The client, or <see langword="null"/> when there is none or the caller may not manage it.</returns>
    public async ValueTask<OAuthClientRecord?> FindAsync(string clientId, VezaCaller caller, CancellationToken cancellationToken)
        => (await GetAsync(OAuthClientKind.Client, clientId, caller, cancellationToken).ConfigureAwait(false)).Client;

    /// <summary>Lists the clients the caller may manage: an administrator of the root team any team's (or every
    /// team's, without <see cref="OAuthClientQuery.TeamId"/>), an administrator of a team that team's; asking for
    /// another team's is refused, as is any list by a caller who is no administrator.</summary>
    /// <param name="query">The filter and cursor.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page, or Forbidden.</returns>
    public async ValueTask<OAuthClientListing> ListAsync(OAuthClientQuery query, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(caller);
        var refusal = !caller.MayManage ? NotManagerMessage(OAuthClientKind.Client)
            : caller.IsHost || caller.IsRootAdministrator ? null
            : !caller.IsAdministrator ? "Only administrators manage OAuth2 clients."
            : query.TeamId is not null && query.TeamId != caller.TeamId ? "You may list only the clients of your own team."
            : null;
        if (refusal is not null)
        {
            return new OAuthClientListing(OAuthClientResult.Forbidden, [], false, refusal);
        }

        var scoped = caller.IsHost || caller.IsRootAdministrator ? query : query with { TeamId = caller.TeamId };
        return await ListStoredAsync(OAuthClientKind.Client, scoped, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers a client with its first secret, if the caller may: an administrator of the root team in any
    /// team, an administrator of a team in that team and with a role they hold there. Refusals are audited too.</summary>
    /// <param name="draft">What the client should be; an empty <see cref="OAuthClientDraft.TeamId"/> means the caller's team.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The client and its secret (shown once), or why not.</returns>
    public async ValueTask<OAuthClientChange> CreateAsync(OAuthClientDraft draft, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(caller);
        if (string.IsNullOrEmpty(draft.TeamId) && caller.TeamId is { } own)
        {
            draft = draft with { TeamId = own };
        }

        var refused = RefuseCreate(draft, caller);
        string name = string.Empty, role = string.Empty;
        string[] scopes = [];
        var lifetime = TimeSpan.Zero;
        if (refused is null)
        {
            refused = Validate(draft, out name, out role, out scopes, out lifetime)
                ?? await RefuseUnknownTeamAsync(draft.TeamId, cancellationToken).ConfigureAwait(false);
            refused = await RefuseWhileOffAsync(cancellationToken).ConfigureAwait(false) ?? refused;
        }

        if (refused is not null)
        {
            await AuditAsync(OAuthClientKind.Client, caller, VezaAuditActions.OAuthClientCreate, refused, draft.ClientId, draft.TeamId, cancellationToken).ConfigureAwait(false);
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
            CreatedBy = caller.Subject,
        };
        return await StoreNewAsync(client, draft.Secret, draft.SecretExpiresAt, withSecret: true, caller, cancellationToken).ConfigureAwait(false);
    }

    // Who may create which client: see CreateAsync.
    private OAuthClientChange? RefuseCreate(OAuthClientDraft draft, VezaCaller caller)
    {
        if (!caller.MayManage)
        {
            return Refused(NotManagerMessage(OAuthClientKind.Client));
        }

        if (!MayManageClientsOf(caller, draft.TeamId))
        {
            return Refused("Only an administrator of the team (or of the root team) may create its clients.");
        }

        var role = draft.Role ?? _options.TeamKeyRole;
        return caller.IsHost || caller.IsRootAdministrator || caller.Roles.Contains(role, StringComparer.Ordinal)
            ? null
            : Refused($"You can give a client only a role you hold in the team; you do not hold '{role}'.");
    }

    /// <summary>Adds a secret (at most two at once: add the new one, switch the client over, remove the old one).</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="expiresAt">When the secret stops working, or <see langword="null"/> for never.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The secret (shown once) and its id, or why not.</returns>
    public ValueTask<OAuthClientChange> AddSecretAsync(string clientId, DateTimeOffset? expiresAt, VezaCaller caller, CancellationToken cancellationToken)
        => AddSecretAsync(OAuthClientKind.Client, clientId, expiresAt, caller, null, cancellationToken);

    internal async ValueTask<OAuthClientChange> AddSecretAsync(OAuthClientKind kind, string clientId, DateTimeOffset? expiresAt, VezaCaller caller,
        Func<OAuthClientRecord, OAuthClientChange?>? check, CancellationToken cancellationToken)
    {
        string? secretId = null, secret = null;
        var change = await ChangeAsync(kind, clientId, kind == OAuthClientKind.App ? VezaAuditActions.OAuthAppSecretAdd : VezaAuditActions.OAuthClientSecretAdd, caller,
            current => check?.Invoke(current) ?? (expiresAt is { } at && at <= _time.GetUtcNow() ? Invalid("expires_at must be in the future.") : null),
            async (_, ct) =>
            {
                (secretId, secret) = NewSecret(null);
                var hash = await _secrets.HashAsync(secret, ct).ConfigureAwait(false);
                return await _store.AddSecretAsync(clientId, new OAuthClientSecretRecord(secretId, hash, _time.GetUtcNow(), expiresAt), ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        return change.Result == OAuthClientResult.Success ? change with { Secret = secret, SecretId = secretId } : change;
    }

    /// <summary>Removes a secret; tokens got with it are refused from the next request on.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="secretId">The secret id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> RemoveSecretAsync(string clientId, string secretId, VezaCaller caller, CancellationToken cancellationToken)
        => ChangeAsync(OAuthClientKind.Client, clientId, VezaAuditActions.OAuthClientSecretRemove, caller, null,
            (_, ct) => _store.RemoveSecretAsync(clientId, secretId, ct), cancellationToken);

    /// <summary>Revokes a client: it cannot get tokens, and the tokens it holds are refused.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="caller">Who asks; recorded as who revoked it.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> RevokeAsync(string clientId, VezaCaller caller, CancellationToken cancellationToken)
        => ChangeAsync(OAuthClientKind.Client, clientId, VezaAuditActions.OAuthClientRevoke, caller, null,
            (_, ct) => _store.SetStatusAsync(clientId, OAuthClientStatus.Inactive, caller.Subject, ct), cancellationToken);

    /// <summary>Reinstates a revoked client; its unexpired, unrevoked tokens are accepted again.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> ReinstateAsync(string clientId, VezaCaller caller, CancellationToken cancellationToken)
        => ChangeAsync(OAuthClientKind.Client, clientId, VezaAuditActions.OAuthClientReinstate, caller, null,
            (_, ct) => _store.SetStatusAsync(clientId, OAuthClientStatus.Active, null, ct), cancellationToken);

    /// <summary>Renames a client.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="name">The new name.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<OAuthClientChange> RenameAsync(string clientId, string name, VezaCaller caller, CancellationToken cancellationToken)
    {
        var normalized = string.Empty;
        return ChangeAsync(OAuthClientKind.Client, clientId, VezaAuditActions.OAuthClientRename, caller,
            _ => CredentialNames.TryNormalize(name, out normalized) ? null : Invalid("name must be " + CredentialNames.Rule + "."),
            (_, ct) => _store.RenameAsync(clientId, normalized, ct), cancellationToken);
    }

    /// <summary>Deletes a client; the tokens it holds are refused from the next request on.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The outcome, with the client as it was.</returns>
    public ValueTask<OAuthClientChange> DeleteAsync(string clientId, VezaCaller caller, CancellationToken cancellationToken)
        => ChangeAsync(OAuthClientKind.Client, clientId, VezaAuditActions.OAuthClientDelete, caller, null, (_, ct) => _store.DeleteAsync(clientId, ct), cancellationToken);
}
