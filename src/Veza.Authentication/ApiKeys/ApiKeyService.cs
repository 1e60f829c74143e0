using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>
/// Issues and manages API keys, and decides who may: every operation takes the <see cref="VezaCaller"/> who asks and
/// applies the same rules whether it comes from the management API, a host's page or the host's own code.
/// <list type="bullet">
/// <item>A person (interactive sign-in or personal key) acts in their caller's team: they create personal keys for
/// themselves there, and see, rename, revoke, reinstate and delete their own personal keys of that team.</item>
/// <item>An administrator of the team does all of that to every key of the team, and creates its team keys.</item>
/// <item>An administrator of the root team does it to every team's keys, and creates personal keys for themselves in
/// any team they belong to.</item>
/// <item>Team keys, OAuth2 clients and OAuth2 apps manage nothing; <see cref="VezaCaller.Host"/> manages
/// everything.</item>
/// </list>
/// A key the caller may not see is answered as <see cref="ApiKeyResult.NotFound"/>, never as forbidden, so its id is
/// not confirmed. Every change is audited as done by the caller and evicts the key's cached checks on this instance at
/// once, so a revoked, renamed or deleted key is refused from the next request on.
/// </summary>
public sealed partial class ApiKeyService
{
    /// <summary>The longest key name accepted.</summary>
    public const int MaxNameLength = CredentialNames.MaxLength;

    private const string NotManagerMessage = "Only a user's credential can manage keys.";
    private const string InvalidNameMessage = "name is required: " + CredentialNames.Rule + ".";

    private readonly IApiKeyStore _store;
    private readonly StoredSecrets _secrets;
    private readonly ApiKeyVerifier _verifier;
    private readonly ApiKeyUsageRecorder _usage;
    private readonly IVezaAuditSink _audit;
    private readonly VezaPrincipalResolver _directory;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly int _maxPersonalKeys;
    private readonly int _maxTeamKeys;

    internal ApiKeyService(
        IApiKeyStore store,
        StoredSecrets secrets,
        ApiKeyVerifier verifier,
        ApiKeyUsageRecorder usage,
        IVezaAuditSink audit,
        VezaPrincipalResolver directory,
        IOptions<VezaAuthenticationOptions> options,
        TimeProvider time)
    {
        _store = store;
        _secrets = secrets;
        _verifier = verifier;
        _usage = usage;
        _audit = audit;
        _directory = directory;
        _time = time;
        _prefix = options.Value.ApiKeys.Prefix;
        _maxPersonalKeys = options.Value.ApiKeys.MaxPersonalKeysPerUserAndTeam;
        _maxTeamKeys = options.Value.ApiKeys.MaxTeamKeysPerTeam;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is acceptable as a key name: well-formed UTF-16, 1 to 128 characters once
    /// normalized (Unicode NFC), no control, format (zero-width, bidirectional overrides) or line and paragraph
    /// separator characters, no leading or trailing white space. Names are stored normalized, so two names that
    /// look the same are the same name.
    /// </summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> when it is acceptable.</returns>
    public static bool IsValidName(string? name) => CredentialNames.TryNormalize(name, out _);

    /// <summary>Creates a key with a new random secret, if the caller may: see <see cref="ApiKeyService"/> for who may
    /// create which key where. Refusals are audited too.</summary>
    /// <param name="draft">What the key should be.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The stored key and its key string (shown once), or why not: Forbidden, InvalidName, Invalid,
    /// UnknownTeam (team keys), DuplicateName, or QuotaExceeded when the owner already holds
    /// <see cref="ApiKeyOptions.MaxPersonalKeysPerUserAndTeam"/> keys in the team, or the team
    /// <see cref="ApiKeyOptions.MaxTeamKeysPerTeam"/> team keys.</returns>
    public async Task<ApiKeyChange> CreateAsync(ApiKeyDraft draft, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(caller);
        var teamId = string.IsNullOrEmpty(draft.TeamId) ? caller.TeamId : draft.TeamId;
        var owner = draft.Kind == ApiKeyKind.Personal ? draft.OwnerUserId ?? caller.UserId : draft.OwnerUserId;
        var change = CheckDraft(draft, caller, teamId, owner, out var name)
            ?? await RefuseCreateAsync(draft.Kind, teamId!, owner, caller, cancellationToken).ConfigureAwait(false)
            ?? await StoreNewAsync(ApiKeyFormat.Generate(_prefix), draft.Kind, name, teamId!, owner, caller.UserId, enforceQuota: true, cancellationToken)
                .ConfigureAwait(false);
        await AuditAsync(caller, VezaAuditActions.ApiKeyCreate, change.Result, change.Key?.Id, teamId, cancellationToken).ConfigureAwait(false);
        return change;
    }

    // The values of a draft, before any rule: a refusal for a caller who manages nothing, or a bad value.
    private static ApiKeyChange? CheckDraft(ApiKeyDraft draft, VezaCaller caller, string? teamId, string? owner, out string name)
    {
        name = string.Empty;
        if (!caller.MayManage)
        {
            return Refused(NotManagerMessage);
        }

        if (!CredentialNames.TryNormalize(draft.Name, out name))
        {
            return new ApiKeyChange(ApiKeyResult.InvalidName, Error: InvalidNameMessage);
        }

        if (draft.Kind is not (ApiKeyKind.Personal or ApiKeyKind.Team))
        {
            return Invalid("kind must be Personal or Team.");
        }

        if (string.IsNullOrEmpty(teamId))
        {
            return Invalid("team_id is required.");
        }

        return draft.Kind == ApiKeyKind.Personal
            ? owner is null ? Invalid("A personal key needs an owner.") : null
            : owner is not null ? Invalid("A team key has no owner.") : null;
    }

    /// <summary>Finds a key the caller may see, with its most recent use time even if not yet written to the store.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The key, or <see langword="null"/> when there is none or the caller may not see it.</returns>
    public async ValueTask<ApiKeyRecord?> FindAsync(string id, VezaCaller caller, CancellationToken cancellationToken)
        => (await GetAsync(null, id, caller, cancellationToken).ConfigureAwait(false)).Key;

    // A key of the given kind (any kind when null) the caller may see: Forbidden for a caller who manages nothing,
    // NotFound for a key that is missing, of the other kind, or out of the caller's reach.
    internal async ValueTask<ApiKeyChange> GetAsync(ApiKeyKind? kind, string id, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.MayManage)
        {
            return Refused(NotManagerMessage);
        }

        var key = await FindStoredAsync(id, cancellationToken).ConfigureAwait(false);
        return key is null || (kind is not null && key.Kind != kind) || AuthorityOver(caller, key) == ApiKeyAuthority.None
            ? Missing()
            : new ApiKeyChange(ApiKeyResult.Success, key);
    }

    /// <summary>
    /// Lists the keys the caller may see, with their most recent use times. The query is narrowed to them: leaving a
    /// filter out is never refused. Outside the root team's administrators, a caller sees only their own team; a member
    /// who is not its administrator sees only their own personal keys. Asking for more (another team, another user's
    /// keys, a member's team keys) is refused.
    /// </summary>
    /// <param name="query">The filter and page cursor.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One page, or Forbidden.</returns>
    public async ValueTask<ApiKeyListing> ListAsync(ApiKeyQuery query, VezaCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(caller);
        var (scoped, refusal) = ScopeList(query, caller);
        if (scoped is null)
        {
            return new ApiKeyListing(ApiKeyResult.Forbidden, [], false, refusal);
        }

        var page = await _store.ListAsync(scoped, cancellationToken).ConfigureAwait(false);
        return new ApiKeyListing(ApiKeyResult.Success, [.. page.Items.Select(WithPendingUse)], page.HasMore);
    }

    private async ValueTask<ApiKeyRecord?> FindStoredAsync(string id, CancellationToken cancellationToken)
        => ApiKeyFormat.IsValidKeyId(id) && await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false) is { } key ? WithPendingUse(key) : null;

    private async Task<ApiKeyChange> StoreNewAsync(string accessKey, ApiKeyKind kind, string name, string teamId, string? ownerUserId,
        string? createdByUserId, bool enforceQuota, CancellationToken cancellationToken)
    {
        ApiKeyFormat.TryParse(accessKey, _prefix, out var keyId, out var secret);
        var hash = await _secrets.HashAsync(secret.ToString(), cancellationToken).ConfigureAwait(false);
        var now = TruncateToMilliseconds(_time.GetUtcNow());
        var key = new ApiKeyRecord
        {
            Id = keyId,
            Kind = kind,
            Name = name,
            TeamId = teamId,
            OwnerUserId = ownerUserId,
            CreatedByUserId = createdByUserId,
            SecretHash = hash,
            Status = ApiKeyStatus.Active,
            CreatedAt = now,
            LastAccessAt = now,
        };
        // The quota is the store's to enforce, in the same operation as the write, so instances sharing it agree.
        int? limit = enforceQuota ? (kind == ApiKeyKind.Personal ? _maxPersonalKeys : _maxTeamKeys) : null;
        var result = await _store.CreateAsync(key, limit, cancellationToken).ConfigureAwait(false);
        return result == ApiKeyStoreResult.Success ? new ApiKeyChange(ApiKeyResult.Success, key, accessKey) : new ApiKeyChange(Map(result));
    }

    private ApiKeyRecord WithPendingUse(ApiKeyRecord key)
        => _usage.GetPending(key.Id) is { } at && at > key.LastAccessAt ? key with { LastAccessAt = at } : key;

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value)
        => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static ApiKeyResult Map(ApiKeyStoreResult result) => result switch
    {
        ApiKeyStoreResult.Success => ApiKeyResult.Success,
        ApiKeyStoreResult.NotFound => ApiKeyResult.NotFound,
        ApiKeyStoreResult.DuplicateName => ApiKeyResult.DuplicateName,
        ApiKeyStoreResult.Outranked => ApiKeyResult.Outranked,
        ApiKeyStoreResult.QuotaExceeded => ApiKeyResult.QuotaExceeded,
        _ => ApiKeyResult.Conflict,
    };

    private static ApiKeyChange Refused(string why) => new(ApiKeyResult.Forbidden, Error: why);

    private static ApiKeyChange Invalid(string why) => new(ApiKeyResult.Invalid, Error: why);

    private static ApiKeyChange Missing() => new(ApiKeyResult.NotFound, Error: "No key with that id.");

    private ValueTask AuditAsync(VezaCaller caller, string action, ApiKeyResult result, string? keyId, string? teamId, CancellationToken cancellationToken)
    {
        var outcome = result switch
        {
            ApiKeyResult.Success => "success",
            ApiKeyResult.DuplicateName => "duplicate_name",
            ApiKeyResult.NotFound => "not_found",
            ApiKeyResult.Outranked or ApiKeyResult.Forbidden => "permission_denied",
            ApiKeyResult.QuotaExceeded => "quota_exceeded",
            ApiKeyResult.InvalidName or ApiKeyResult.Invalid => "invalid",
            ApiKeyResult.UnknownTeam => "unknown_team",
            _ => "conflict",
        };
        return _audit.WriteAsync(caller.AuditActor().Event(action, outcome, "api_key", keyId, teamId, _time.GetUtcNow()), cancellationToken);
    }
}
