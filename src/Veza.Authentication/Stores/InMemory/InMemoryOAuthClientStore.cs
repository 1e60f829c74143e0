namespace Veza.Authentication.Stores.InMemory;

/// <summary>
/// An <see cref="IOAuthClientStore"/> in process memory. For development, tests and samples: clients are lost when
/// the process ends and are not shared between instances.
/// </summary>
public sealed class InMemoryOAuthClientStore : IOAuthClientStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, OAuthClientRecord> _clients = new(StringComparer.Ordinal);
    private readonly InMemoryChangeFeed _changes;

    /// <summary>Creates an empty store that records its changes in <paramref name="changes"/>.</summary>
    /// <param name="changes">The change feed every instance sharing this store reads.</param>
    public InMemoryOAuthClientStore(InMemoryChangeFeed changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes;
    }

    /// <inheritdoc />
    public ValueTask<OAuthClientRecord?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_clients.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> CreateAsync(OAuthClientRecord client, int maxClientsPerTeam, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_clients.ContainsKey(client.Id))
            {
                return ValueTask.FromResult(OAuthStoreResult.Conflict);
            }

            if (NameTaken(client.TeamId, client.Kind, client.Id, client.Name))
            {
                return ValueTask.FromResult(OAuthStoreResult.DuplicateName);
            }

            if (_clients.Values.Count(c => c.TeamId == client.TeamId && c.Kind == client.Kind) >= maxClientsPerTeam)
            {
                return ValueTask.FromResult(OAuthStoreResult.QuotaExceeded);
            }

            _clients.Add(client.Id, Copy(client));
            return ValueTask.FromResult(OAuthStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> RenameAsync(string id, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Update(id, client =>
            NameTaken(client.TeamId, client.Kind, client.Id, name) ? (OAuthStoreResult.DuplicateName, client) : (OAuthStoreResult.Success, client with { Name = name }), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> UpdateAppAsync(string id, string name, IReadOnlyList<string> allowedScopes, OAuthAppSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(allowedScopes);
        ArgumentNullException.ThrowIfNull(settings);
        return Update(id, client => client.Kind != OAuthClientKind.App
            ? (OAuthStoreResult.NotFound, client)
            : NameTaken(client.TeamId, client.Kind, client.Id, name)
                ? (OAuthStoreResult.DuplicateName, client)
                : (OAuthStoreResult.Success, client with
                {
                    Name = name,
                    AllowedScopes = [.. allowedScopes],
                    App = settings with { RedirectUris = [.. settings.RedirectUris] },
                }), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> SetStatusAsync(string id, OAuthClientStatus status, string? revokedBy, CancellationToken cancellationToken)
        => Update(id, client => (OAuthStoreResult.Success, client with
        {
            Status = status,
            RevokedBy = status == OAuthClientStatus.Inactive ? revokedBy : null,
        }), cancellationToken);

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> AddSecretAsync(string id, OAuthClientSecretRecord secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Update(id, client =>
            client.Secrets.Count >= OAuthClientRecord.MaxSecrets || client.Secrets.Any(s => s.Id == secret.Id)
                ? (OAuthStoreResult.QuotaExceeded, client)
                : (OAuthStoreResult.Success, client with { Secrets = [.. client.Secrets, secret] }), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> RemoveSecretAsync(string id, string secretId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secretId);
        return Update(id, client =>
            client.Secrets.Any(s => s.Id == secretId)
                ? (OAuthStoreResult.Success, client with { Secrets = [.. client.Secrets.Where(s => s.Id != secretId)] })
                : (OAuthStoreResult.NotFound, client), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> ReplaceSecretHashAsync(string id, string secretId, string expectedHash, string newHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secretId);
        ArgumentNullException.ThrowIfNull(expectedHash);
        ArgumentNullException.ThrowIfNull(newHash);
        return Update(id, client =>
        {
            var secret = client.Secrets.FirstOrDefault(s => s.Id == secretId);
            if (secret is null)
            {
                return (OAuthStoreResult.NotFound, client);
            }

            return secret.Hash != expectedHash
                ? (OAuthStoreResult.Conflict, client)
                : (OAuthStoreResult.Success, client with { Secrets = [.. client.Secrets.Select(s => s.Id == secretId ? s with { Hash = newHash } : s)] });
        }, cancellationToken, announce: false);
    }

    /// <inheritdoc />
    public ValueTask<OAuthStoreResult> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_clients.Remove(id))
            {
                return ValueTask.FromResult(OAuthStoreResult.NotFound);
            }

            _changes.Append(VezaChangeKind.Client, id);
            return ValueTask.FromResult(OAuthStoreResult.Success);
        }
    }

    /// <inheritdoc />
    public ValueTask<OAuthClientPage> ListAsync(OAuthClientQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var size = Math.Clamp(query.PageSize, 1, 1000);
        var contains = string.IsNullOrEmpty(query.NameContains) ? null : query.NameContains.ToUpperInvariant();
        lock (_lock)
        {
            var matches = _clients.Values
                .Where(c => (query.AfterId is null || string.CompareOrdinal(c.Id, query.AfterId) > 0)
                    && (query.TeamId is null || c.TeamId == query.TeamId)
                    && (query.Kind is null || c.Kind == query.Kind)
                    && (contains is null || c.Name.ToUpperInvariant().Contains(contains, StringComparison.Ordinal)))
                .Take(size + 1)
                .ToList();
            var hasMore = matches.Count > size;
            if (hasMore)
            {
                matches.RemoveAt(size);
            }

            return ValueTask.FromResult(new OAuthClientPage(matches, hasMore));
        }
    }

    /// <inheritdoc />
    public ValueTask RecordLastUseAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastUse);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var (id, at) in lastUse)
            {
                if (_clients.TryGetValue(id, out var client) && (client.LastUsedAt is null || client.LastUsedAt < at))
                {
                    _clients[id] = client with { LastUsedAt = at };
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    // Every change but a hash upgrade (the same secret) is announced on the feed.
    private ValueTask<OAuthStoreResult> Update(string id, Func<OAuthClientRecord, (OAuthStoreResult, OAuthClientRecord)> change, CancellationToken cancellationToken,
        bool announce = true)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_clients.TryGetValue(id, out var client))
            {
                return ValueTask.FromResult(OAuthStoreResult.NotFound);
            }

            var (result, changed) = change(client);
            if (result == OAuthStoreResult.Success)
            {
                _clients[id] = changed;
                if (announce)
                {
                    _changes.Append(VezaChangeKind.Client, id);
                }
            }

            return ValueTask.FromResult(result);
        }
    }

    private bool NameTaken(string teamId, OAuthClientKind kind, string id, string name)
        => _clients.Values.Any(c => c.TeamId == teamId && c.Kind == kind && c.Id != id && string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    // The caller's lists are copied, so changing them later does not change what is stored.
    private static OAuthClientRecord Copy(OAuthClientRecord client)
        => client with
        {
            AllowedScopes = [.. client.AllowedScopes],
            Secrets = [.. client.Secrets],
            App = client.App is null ? null : client.App with { RedirectUris = [.. client.App.RedirectUris] },
        };
}
