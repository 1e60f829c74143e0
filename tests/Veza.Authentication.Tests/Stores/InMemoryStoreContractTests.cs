using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;
using Veza.Authentication.Testing;

namespace Veza.Authentication.Tests.Stores;

// The in-memory stores and directory run the contract kit every store and directory must pass (Veza.Authentication.Testing).

[TestFixture]
public sealed class InMemoryApiKeyStoreTests : ApiKeyStoreContract
{
    protected override Task<IApiKeyStore> CreateStoreAsync() => Task.FromResult<IApiKeyStore>(new InMemoryApiKeyStore(new InMemoryChangeFeed()));
}

[TestFixture]
public sealed class InMemoryOAuthClientStoreTests : OAuthClientStoreContract
{
    protected override Task<IOAuthClientStore> CreateStoreAsync() => Task.FromResult<IOAuthClientStore>(new InMemoryOAuthClientStore(new InMemoryChangeFeed()));
}

[TestFixture]
public sealed class InMemoryOAuthServerStoresTests : OAuthServerStoresContract
{
    protected override Task<(ISigningKeyStore Keys, ITokenRevocationStore Revocations, IVezaSettingsStore Settings)> CreateStoresAsync()
    {
        var changes = new InMemoryChangeFeed();
        return Task.FromResult<(ISigningKeyStore, ITokenRevocationStore, IVezaSettingsStore)>(
            (new InMemorySigningKeyStore(changes), new InMemoryTokenRevocationStore(changes), new InMemorySettingsStore(changes)));
    }
}

[TestFixture]
public sealed class InMemoryOAuthGrantStoresTests : OAuthGrantStoresContract
{
    protected override Task<(IOAuthGrantStore Grants, IOAuthConsentStore Consents)> CreateStoresAsync()
        => Task.FromResult<(IOAuthGrantStore, IOAuthConsentStore)>((new InMemoryOAuthGrantStore(new InMemoryChangeFeed()), new InMemoryOAuthConsentStore()));
}

[TestFixture]
public sealed class InMemoryChangeFeedTests : VezaChangeFeedContract
{
    protected override Task<VezaStoreSet> CreateStoresAsync()
    {
        var changes = new InMemoryChangeFeed();
        return Task.FromResult(new VezaStoreSet(changes, new InMemoryApiKeyStore(changes), new InMemoryOAuthClientStore(changes),
            new InMemoryOAuthGrantStore(changes), new InMemoryTokenRevocationStore(changes), new InMemorySettingsStore(changes),
            new InMemorySigningKeyStore(changes)));
    }
}

[TestFixture]
public sealed class InMemoryUserDirectoryTests : VezaUserDirectoryContract
{
    protected override Task<IVezaUserDirectory> CreateDirectoryAsync(VezaDirectorySeed seed)
    {
        var directory = new InMemoryUserDirectory();
        foreach (var team in seed.Teams)
        {
            directory.AddTeam(team);
        }

        foreach (var user in seed.Users)
        {
            directory.AddUser(user);
        }

        foreach (var membership in seed.Memberships)
        {
            directory.SetRoles(membership.UserId, membership.TeamId, membership.Roles);
        }

        return Task.FromResult<IVezaUserDirectory>(directory);
    }
}
