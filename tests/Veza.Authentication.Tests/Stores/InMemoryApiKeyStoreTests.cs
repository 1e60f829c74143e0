using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Tests.Stores;

[TestFixture]
public sealed class InMemoryApiKeyStoreTests : ApiKeyStoreContract
{
    protected override Task<IApiKeyStore> CreateStoreAsync() => Task.FromResult<IApiKeyStore>(new InMemoryApiKeyStore());
}
