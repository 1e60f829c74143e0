using Microsoft.EntityFrameworkCore;
using Veza.Authentication.EntityFrameworkCore.Stores;
using Veza.Authentication.Stores;
using Veza.Authentication.Testing;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>The Entity Framework Core stores over one database, as AddEntityFrameworkCoreStores registers them.</summary>
internal static class EfStoreSets
{
    public static readonly EfStoreSettings Settings = new(PruneBatchSize: 7);

    public static VezaStoreSet Create<TContext>(IDbContextFactory<TContext> contexts, TimeProvider? time = null) where TContext : DbContext
    {
        time ??= TimeProvider.System;
        return new VezaStoreSet(
            new EfChangeFeed<TContext>(contexts, time, Settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<EfChangeFeed<TContext>>.Instance),
            new EfApiKeyStore<TContext>(contexts, time),
            new EfOAuthClientStore<TContext>(contexts, time),
            new EfOAuthGrantStore<TContext>(contexts, time, Settings),
            new EfTokenRevocationStore<TContext>(contexts, time, Settings),
            new EfSettingsStore<TContext>(contexts, time),
            new EfSigningKeyStore<TContext>(contexts, time));
    }

    public static IOAuthConsentStore Consents<TContext>(IDbContextFactory<TContext> contexts) where TContext : DbContext
        => new EfOAuthConsentStore<TContext>(contexts, TimeProvider.System);
}
