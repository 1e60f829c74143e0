using Veza.Authentication.Diagnostics;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>What only the host does: importing seed keys, and deleting a user's keys when they leave.</summary>
public sealed partial class ApiKeyService
{
    /// <summary>
    /// Stores a key string minted elsewhere (for example with <see cref="ApiKeyFormat.Generate(string)"/> for seed data),
    /// as the host. The string must carry this library's prefix and a valid checksum; only its hash is kept. Quotas do
    /// not apply to imports.
    /// </summary>
    /// <param name="accessKey">The full key string.</param>
    /// <param name="kind">Personal or team key.</param>
    /// <param name="name">The name (see <see cref="IsValidName"/>).</param>
    /// <param name="teamId">The team the key is scoped to.</param>
    /// <param name="ownerUserId">For a personal key, the user it acts as; <see langword="null"/> for a team key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored key, or why not: InvalidName, Invalid (a malformed key string, a missing team, an owner
    /// that does not fit the kind), DuplicateName, or Conflict when the key id is taken.</returns>
    public async Task<ApiKeyChange> ImportAsync(string accessKey, ApiKeyKind kind, string name, string teamId, string? ownerUserId,
        CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(accessKey, _prefix, out _, out _))
        {
            return Invalid("The value is not a well-formed API key for the configured prefix.");
        }

        var draft = new ApiKeyDraft { Kind = kind, Name = name, TeamId = teamId, OwnerUserId = ownerUserId };
        return CheckDraft(draft, Principals.VezaCaller.Host, teamId, ownerUserId, out var normalized)
            ?? await StoreNewAsync(accessKey, kind, normalized, teamId, ownerUserId, ownerUserId, enforceQuota: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Call when a user leaves a team: deletes the personal keys they created in that team.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="teamId">The team id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ids of the deleted keys.</returns>
    public Task<IReadOnlyList<string>> UserRemovedFromTeamAsync(string userId, string teamId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(teamId);
        return DeletePersonalKeysAsync(userId, teamId, VezaAuditActions.UserRemovedFromTeamApiKeyDeleted, cancellationToken);
    }

    /// <summary>Call when a user is removed from the platform: deletes all their personal keys.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The ids of the deleted keys.</returns>
    public Task<IReadOnlyList<string>> UserRemovedAsync(string userId, CancellationToken cancellationToken)
        => DeletePersonalKeysAsync(userId, null, VezaAuditActions.UserRemovedApiKeyDeleted, cancellationToken);

    /// <summary>Writes pending last-use times to the store now instead of at the next interval.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the times are stored (or kept for the next try).</returns>
    public Task FlushLastAccessAsync(CancellationToken cancellationToken) => _usage.FlushAsync(cancellationToken);

    private async Task<IReadOnlyList<string>> DeletePersonalKeysAsync(string userId, string? teamId, string action, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);

        // The keys about to go are read first, so that they are evicted even if the delete commits and then fails.
        var doomed = new List<string>();
        var query = new ApiKeyQuery { Kind = ApiKeyKind.Personal, OwnerUserId = userId, TeamId = teamId, PageSize = 1000 };
        ApiKeyPage page;
        do
        {
            page = await _store.ListAsync(query, cancellationToken).ConfigureAwait(false);
            doomed.AddRange(page.Items.Select(k => k.Id));
            query = query with { AfterId = page.Items.Count > 0 ? page.Items[^1].Id : null };
        }
        while (page.HasMore && page.Items.Count > 0);

        IReadOnlyList<string> deleted;
        try
        {
            deleted = await _store.DeletePersonalKeysAsync(userId, teamId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var id in doomed)
            {
                _usage.Forget(id);
                _verifier.Evict(id);
            }
        }

        foreach (var id in deleted)
        {
            _usage.Forget(id);
            _verifier.Evict(id);
            await _audit.WriteAsync(new VezaAuditEvent
            {
                Action = action,
                Outcome = "success",
                Actor = "system",
                TargetKind = "api_key",
                TargetId = id,
                TeamId = teamId,
                Timestamp = _time.GetUtcNow(),
            }, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }
}
