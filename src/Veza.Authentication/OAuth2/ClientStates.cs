using Microsoft.Extensions.Options;
using Veza.Authentication.Bearer;
using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>A client as its tokens see it: in which team, with which role, and which secrets it still holds (a token
/// got with a secret that was removed is refused).</summary>
internal sealed record ClientState(string Id, string Name, string TeamId, string Role, string[] SecretIds);

/// <summary>
/// The current state of each client, for the resource side: read from the store at most every
/// <see cref="OAuthServerOptions.StateRefreshInterval"/> per client, and forgotten at once when the client changes
/// through this instance (revoke, delete, secret removal, rename), so its tokens fail on the next request.
/// </summary>
internal sealed class ClientStates
{
    private readonly SecretCheckCache<ClientState> _states;
    private readonly IOAuthClientStore _store;
    private readonly TimeSpan _storeTimeout;

    public ClientStates(IOAuthClientStore store, IOptions<VezaAuthenticationOptions> options, TimeProvider time)
    {
        _store = store;
        _states = new SecretCheckCache<ClientState>(options.Value.OAuth2.StateRefreshInterval, time);
        _storeTimeout = options.Value.ApiKeys.StoreTimeout;
    }

    /// <summary>The client if it exists and is active, else <see langword="null"/>. Throws
    /// <see cref="CredentialStoreUnavailableException"/> when the store fails.</summary>
    public ValueTask<ClientState?> FindActiveAsync(string clientId, CancellationToken cancellationToken)
    {
        var stamp = _states.Stamp(clientId);
        if (_states.Find(clientId, stamp) is { } known)
        {
            return ValueTask.FromResult(known.Value);
        }

        if (_states.FindRefusal(clientId, stamp) is not null)
        {
            return ValueTask.FromResult<ClientState?>(null);
        }

        return LoadAsync(clientId, stamp, cancellationToken);
    }

    public void Evict(string clientId) => _states.Invalidate(clientId);

    private async ValueTask<ClientState?> LoadAsync(string clientId, long stamp, CancellationToken cancellationToken)
    {
        var check = await _states.RunOnceAsync(clientId, stamp, (States: this, ClientId: clientId, Stamp: stamp),
            static s => s.States.ReadAsync(s.ClientId, s.Stamp), cancellationToken).ConfigureAwait(false);
        return check.Value;
    }

    private async Task<SecretCheck<ClientState>> ReadAsync(string clientId, long stamp)
    {
        var client = await StoreRead.WithTimeoutAsync((Store: _store, Id: clientId), static (s, ct) => s.Store.FindByIdAsync(s.Id, ct), _storeTimeout)
            .ConfigureAwait(false);

        return client is { Status: OAuthClientStatus.Active }
            ? _states.Remember(clientId, new ClientState(client.Id, client.Name, client.TeamId, client.Role, [.. client.Secrets.Select(x => x.Id)]), stamp)
            : _states.RememberRefusal(clientId, stamp);
    }
}
