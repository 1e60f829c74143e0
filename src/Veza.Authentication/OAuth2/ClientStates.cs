using Microsoft.Extensions.Options;
using Veza.Authentication.Changes;
using Veza.Authentication.Credentials;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>A client or app as its tokens see it: in which team, with which role, and which secrets it still holds (a
/// client's token got with a secret that was removed is refused).</summary>
internal sealed record ClientState(string Id, string Name, string TeamId, string Role, string[] SecretIds, bool IsApp = false);

/// <summary>A grant as its tokens see it: whose it is and whether it still stands.</summary>
internal sealed record GrantState(string Id, string AppId, string UserId, string TeamId);

/// <summary>
/// Store-backed state the resource side asks on every request, read from the store once per id (concurrent reads of
/// one id shared) and remembered for at most <see cref="VezaStoreOptions.CacheDuration"/>; forgotten at once when it
/// changes through this instance, and when the change feed says it changed elsewhere. Answers <see langword="null"/> for an id the store does not hold as
/// current (unknown, revoked); throws <see cref="CredentialStoreUnavailableException"/> when the store fails.
/// </summary>
internal abstract class RememberedStates<TState> : IChangeListener where TState : class
{
    private readonly SecretCheckCache<TState> _states;
    private readonly TimeSpan _storeTimeout;
    private readonly VezaChangeKind _kind;

    protected RememberedStates(VezaChangeKind kind, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _kind = kind;
        _states = new SecretCheckCache<TState>(options.Value.Stores.CacheDuration, options.Value.Stores.MaxCachedCredentials, time);
        _storeTimeout = options.Value.Stores.Timeout;
    }

    protected ValueTask<TState?> FindCurrentAsync(string id, CancellationToken cancellationToken)
    {
        var stamp = _states.Stamp(id);
        if (_states.Find(id, stamp) is { } known)
        {
            return ValueTask.FromResult(known.Value);
        }

        if (_states.FindRefusal(id, stamp) is not null)
        {
            return ValueTask.FromResult<TState?>(null);
        }

        return LoadAsync(id, stamp, cancellationToken);
    }

    public void Evict(string id) => _states.Invalidate(id);

    public void OnChanged(VezaChange change)
    {
        if (change.Kind == _kind)
        {
            _states.Invalidate(change.Id);
        }
    }

    public void ForgetAll() => _states.InvalidateAll();

    /// <summary>Reads the current state from the store, or <see langword="null"/> when there is none.</summary>
    protected abstract ValueTask<TState?> ReadAsync(string id, CancellationToken cancellationToken);

    private async ValueTask<TState?> LoadAsync(string id, long stamp, CancellationToken cancellationToken)
    {
        var check = await _states.RunOnceAsync(id, stamp, (States: this, Id: id, Stamp: stamp),
            static s => s.States.ReadOnceAsync(s.Id, s.Stamp), cancellationToken).ConfigureAwait(false);
        return check.Value;
    }

    private async Task<SecretCheck<TState>> ReadOnceAsync(string id, long stamp)
    {
        var state = await StoreRead.WithTimeoutAsync((States: this, Id: id), static (s, ct) => s.States.ReadAsync(s.Id, ct), _storeTimeout).ConfigureAwait(false);
        return state is null ? _states.RememberRefusal(id, stamp) : _states.Remember(id, state, stamp);
    }
}

/// <summary>The current state of each client and app, for the resource side. Revoke, delete, secret removal and rename
/// through this instance evict it, so its tokens fail on the next request.</summary>
internal sealed class ClientStates(IOAuthClientStore store, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    : RememberedStates<ClientState>(VezaChangeKind.Client, options, time)
{
    /// <summary>The client or app if it exists and is active, else <see langword="null"/>.</summary>
    public ValueTask<ClientState?> FindActiveAsync(string clientId, CancellationToken cancellationToken) => FindCurrentAsync(clientId, cancellationToken);

    protected override async ValueTask<ClientState?> ReadAsync(string id, CancellationToken cancellationToken)
        => await store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false) is { Status: OAuthClientStatus.Active } client
            ? new ClientState(client.Id, client.Name, client.TeamId, client.Role, [.. client.Secrets.Select(x => x.Id)], client.Kind == OAuthClientKind.App)
            : null;
}

/// <summary>The current state of each grant, for app tokens: a revoked grant (replayed code, reused refresh token,
/// withdrawn consent, app disabled) fails its tokens on the next request here, and within the change feed's poll
/// interval elsewhere.</summary>
internal sealed class GrantStates(IOAuthGrantStore store, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    : RememberedStates<GrantState>(VezaChangeKind.Grant, options, time)
{
    /// <summary>The grant if it exists and is not revoked, else <see langword="null"/>.</summary>
    public ValueTask<GrantState?> FindActiveAsync(string grantId, CancellationToken cancellationToken) => FindCurrentAsync(grantId, cancellationToken);

    protected override async ValueTask<GrantState?> ReadAsync(string id, CancellationToken cancellationToken)
        => await store.FindGrantAsync(id, cancellationToken).ConfigureAwait(false) is { RevokedAt: null } grant
            ? new GrantState(grant.Id, grant.AppId, grant.UserId, grant.TeamId)
            : null;
}
