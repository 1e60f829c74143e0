using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// What clients and apps share, since both are registrations in one store: who may manage which, finding, storing,
/// changing and auditing them. A client's id never reaches an app's operation, nor the reverse.
/// </summary>
public sealed partial class OAuthClientService
{
    /// <summary>Whether the caller may see and change a registration: the host, any; a person with their own
    /// credential, only as an administrator: of the root team for every team's clients and for apps (apps act for
    /// users of every team), of a team for that team's clients.</summary>
    internal static bool MayManage(VezaCaller caller, OAuthClientRecord client)
        => client.Kind == OAuthClientKind.App ? caller.IsHost || caller.IsRootAdministrator : MayManageClientsOf(caller, client.TeamId);

    /// <summary>Whether the caller may create and manage the clients of <paramref name="teamId"/>.</summary>
    internal static bool MayManageClientsOf(VezaCaller caller, string teamId)
        => caller.IsHost || caller.IsRootAdministrator || (caller.IsAdministrator && caller.TeamId == teamId);

    internal static string NotManagerMessage(OAuthClientKind kind) => $"Only a user's credential can manage OAuth2 {Noun(kind)}s.";

    internal static OAuthClientChange Refused(string why) => new(OAuthClientResult.Forbidden, Error: why);

    internal static OAuthClientChange Invalid(string why) => new(OAuthClientResult.Invalid, Error: why);

    private static OAuthClientChange Missing(OAuthClientKind kind) => new(OAuthClientResult.NotFound, Error: $"No such OAuth2 {Noun(kind)}.");

    private static string Noun(OAuthClientKind kind) => kind == OAuthClientKind.App ? "app" : "client";

    // A registration of the given kind the caller may see: Forbidden for a caller who manages nothing, NotFound for
    // one that is missing, of the other kind, or out of the caller's reach.
    internal async ValueTask<OAuthClientChange> GetAsync(OAuthClientKind kind, string clientId, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.MayManage)
        {
            return Refused(NotManagerMessage(kind));
        }

        return await FindStoredAsync(kind, clientId, cancellationToken).ConfigureAwait(false) is { } client && MayManage(caller, client)
            ? new OAuthClientChange(OAuthClientResult.Success, client)
            : Missing(kind);
    }

    internal async ValueTask<OAuthClientRecord?> FindStoredAsync(OAuthClientKind kind, string clientId, CancellationToken cancellationToken)
        => ClientSecretVerifier.IsPlausible(clientId) && await _store.FindByIdAsync(clientId, cancellationToken).ConfigureAwait(false) is { } client
            && client.Kind == kind
            ? WithPendingUse(client)
            : null;

    internal async ValueTask<OAuthClientListing> ListStoredAsync(OAuthClientKind kind, OAuthClientQuery query, CancellationToken cancellationToken)
    {
        var page = await _store.ListAsync(query with { Kind = kind }, cancellationToken).ConfigureAwait(false);
        return new OAuthClientListing(OAuthClientResult.Success, [.. page.Items.Select(WithPendingUse)], page.HasMore);
    }

    // Times not yet written to the store (they are written in batches) are shown already.
    private OAuthClientRecord WithPendingUse(OAuthClientRecord client)
        => _usage.GetPending(client.Id) is { } at && (client.LastUsedAt is null || at > client.LastUsedAt) ? client with { LastUsedAt = at } : client;

    // Stores a new client or app, with its first secret unless it is a public app, and audits the outcome.
    internal async ValueTask<OAuthClientChange> StoreNewAsync(OAuthClientRecord client, string? chosenSecret, DateTimeOffset? secretExpiresAt, bool withSecret,
        VezaCaller caller, CancellationToken cancellationToken)
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
        await AuditAsync(client.Kind, caller, client.Kind == OAuthClientKind.App ? VezaAuditActions.OAuthAppCreate : VezaAuditActions.OAuthClientCreate, change, client.Id, client.TeamId, cancellationToken).ConfigureAwait(false);
        return change;
    }

    /// <summary>
    /// One change to an existing registration of the given kind, in this order: the caller must manage something, the
    /// registration must exist and be the caller's to manage (else it is answered as not found), <paramref name="check"/>
    /// may refuse the values, and the authorization server must be on. Then the write; whatever the store answered,
    /// this instance forgets what it knew of the registration. Every outcome is audited.
    /// </summary>
    internal async ValueTask<OAuthClientChange> ChangeAsync(OAuthClientKind kind, string clientId, string action, VezaCaller caller,
        Func<OAuthClientRecord, OAuthClientChange?>? check, Func<OAuthClientRecord, CancellationToken, ValueTask<OAuthStoreResult>> write,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(caller);
        var plausibleId = ClientSecretVerifier.IsPlausible(clientId) ? clientId : null;
        if (!caller.MayManage)
        {
            var refused = Refused(NotManagerMessage(kind));
            await AuditAsync(kind, caller, action, refused, plausibleId, null, cancellationToken).ConfigureAwait(false);
            return refused;
        }

        if (plausibleId is null || await _store.FindByIdAsync(clientId, cancellationToken).ConfigureAwait(false) is not { } current || current.Kind != kind)
        {
            var missing = Missing(kind);
            await AuditAsync(kind, caller, action, missing, plausibleId, null, cancellationToken).ConfigureAwait(false);
            return missing;
        }

        if (!MayManage(caller, current))
        {
            // Out of the caller's reach: recorded as refused, answered as missing, so the id is not confirmed.
            await AuditAsync(kind, caller, action, Refused(string.Empty), clientId, current.TeamId, cancellationToken).ConfigureAwait(false);
            return Missing(kind);
        }

        if ((check?.Invoke(current) ?? await RefuseWhileOffAsync(cancellationToken).ConfigureAwait(false)) is { } stopped)
        {
            await AuditAsync(kind, caller, action, stopped, clientId, current.TeamId, cancellationToken).ConfigureAwait(false);
            return stopped;
        }

        OAuthClientChange change;
        try
        {
            change = new OAuthClientChange(Map(await write(current, cancellationToken).ConfigureAwait(false)));
        }
        finally
        {
            // Whatever the store answered (a write may commit and still time out), this instance reads the client again.
            _verifier.Evict(clientId);
            _states.Evict(clientId);
        }

        if (change.Result == OAuthClientResult.Success)
        {
            change = change with
            {
                Client = action.EndsWith(".delete", StringComparison.Ordinal) ? current : await _store.FindByIdAsync(clientId, cancellationToken).ConfigureAwait(false),
            };
        }

        await AuditAsync(kind, caller, action, change, clientId, change.Client?.TeamId ?? current.TeamId, cancellationToken).ConfigureAwait(false);
        return change.Result == OAuthClientResult.NotFound ? change with { Error = $"No such OAuth2 {Noun(kind)} or secret." } : change;
    }

    // A client of a team that does not exist would start working if a team with that id appeared later.
    internal async ValueTask<OAuthClientChange?> RefuseUnknownTeamAsync(string teamId, CancellationToken cancellationToken)
        => await _roles.TeamExistsAsync(teamId, cancellationToken).ConfigureAwait(false) ? null : new OAuthClientChange(OAuthClientResult.UnknownTeam);

    internal async ValueTask<OAuthClientChange?> RefuseWhileOffAsync(CancellationToken cancellationToken)
        => (await _switch.ReadAsync(cancellationToken).ConfigureAwait(false)).OAuth2Enabled ? null : new OAuthClientChange(OAuthClientResult.ServerOff);

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

    internal ValueTask AuditAsync(OAuthClientKind kind, VezaCaller caller, string action, OAuthClientChange change, string? clientId, string? teamId,
        CancellationToken cancellationToken)
        => _audit.WriteAsync(caller.AuditActor().Event(action, change.Result == OAuthClientResult.Success ? "success" : ToSnake(change.Result),
            kind == OAuthClientKind.App ? "oauth2_app" : TargetKind, clientId, teamId, _time.GetUtcNow()), cancellationToken);

    private static string ToSnake(OAuthClientResult result) => result switch
    {
        OAuthClientResult.NotFound => "not_found",
        OAuthClientResult.DuplicateName => "duplicate_name",
        OAuthClientResult.QuotaExceeded => "quota_exceeded",
        OAuthClientResult.Invalid => "invalid",
        OAuthClientResult.ServerOff => "server_off",
        OAuthClientResult.UnknownTeam => "unknown_team",
        OAuthClientResult.Forbidden => "permission_denied",
        _ => "conflict",
    };
}
