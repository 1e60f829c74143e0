using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Tests.Stores;

[TestFixture]
public sealed class InMemoryApiKeyStoreTests : ApiKeyStoreContract
{
    protected override Task<IApiKeyStore> CreateStoreAsync() => Task.FromResult<IApiKeyStore>(new InMemoryApiKeyStore());
}

[TestFixture]
public sealed class InMemoryOAuthClientStoreTests : OAuthClientStoreContract
{
    protected override Task<IOAuthClientStore> CreateStoreAsync() => Task.FromResult<IOAuthClientStore>(new InMemoryOAuthClientStore());
}

[TestFixture]
public sealed class InMemoryOAuthServerStoresTests : OAuthServerStoresContract
{
    protected override (ISigningKeyStore Keys, ITokenRevocationStore Revocations, IVezaSettingsStore Settings) CreateStores()
        => (new InMemorySigningKeyStore(), new InMemoryTokenRevocationStore(), new InMemorySettingsStore());
}

[TestFixture]
public sealed class InMemoryOAuthGrantStoresTests : OAuthGrantStoresContract
{
    protected override (IOAuthGrantStore Grants, IOAuthConsentStore Consents) CreateStores() => (new InMemoryOAuthGrantStore(), new InMemoryOAuthConsentStore());
}
