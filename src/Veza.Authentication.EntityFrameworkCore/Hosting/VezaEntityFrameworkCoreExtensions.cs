using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Veza.Authentication.EntityFrameworkCore.Stores;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore;

/// <summary>Registers Veza's stores on Entity Framework Core.</summary>
public static class VezaEntityFrameworkCoreExtensions
{
    /// <summary>
    /// Keeps every store (API keys, OAuth2 clients and apps, grants, consents, revocations, signing keys, settings)
    /// and the change feed in the package's own context, on SQLite or PostgreSQL:
    /// <c>.AddEntityFrameworkCoreStores(o =&gt; o.UseSqlite("Data Source=veza.db"))</c>. Contexts come from a pooled
    /// factory, one per store operation.
    /// </summary>
    /// <param name="builder">The Veza builder.</param>
    /// <param name="configure">Chooses the database (<see cref="VezaEntityFrameworkCoreOptions.UseSqlite"/> or
    /// <see cref="VezaEntityFrameworkCoreOptions.UsePostgreSql"/>) and sets the other options.</param>
    /// <returns>The builder.</returns>
    public static VezaAuthenticationBuilder AddEntityFrameworkCoreStores(this VezaAuthenticationBuilder builder, Action<VezaEntityFrameworkCoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new VezaEntityFrameworkCoreOptions();
        configure(options);
        if (options.ContextType is null || options.ConfigureContext is null)
        {
            throw new InvalidOperationException("Choose a database: call UseSqlite(...) or UsePostgreSql(...) on the options.");
        }

        return options.ContextType == typeof(VezaSqliteDbContext)
            ? AddOwnContext<VezaSqliteDbContext>(builder, options)
            : AddOwnContext<VezaPostgreSqlDbContext>(builder, options);
    }

    /// <summary>
    /// Keeps every store and the change feed in the host's own context <typeparamref name="TContext"/>, whose model
    /// calls <see cref="VezaModelBuilderExtensions.AddVezaAuthentication"/> and which the host registered with
    /// <c>AddDbContextFactory</c> or <c>AddPooledDbContextFactory</c>. The host's migrations create the tables.
    /// </summary>
    /// <typeparam name="TContext">The host's context.</typeparam>
    /// <param name="builder">The Veza builder.</param>
    /// <param name="configure">Sets the other options (the database is the context's own).</param>
    /// <returns>The builder.</returns>
    public static VezaAuthenticationBuilder AddEntityFrameworkCoreStores<TContext>(this VezaAuthenticationBuilder builder,
        Action<VezaEntityFrameworkCoreOptions>? configure = null) where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new VezaEntityFrameworkCoreOptions();
        configure?.Invoke(options);
        return AddStores<TContext>(builder, options);
    }

    private static VezaAuthenticationBuilder AddOwnContext<TContext>(VezaAuthenticationBuilder builder, VezaEntityFrameworkCoreOptions options)
        where TContext : VezaDbContext
    {
        builder.Services.AddPooledDbContextFactory<TContext>(options.ConfigureContext!);
        // Data Protection resolves the context from a scope.
        builder.Services.TryAddScoped(sp => sp.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext());
        if (options.PersistDataProtectionKeys)
        {
            builder.Services.AddDataProtection().PersistKeysToDbContext<TContext>();
        }

        return AddStores<TContext>(builder, options);
    }

    private static VezaAuthenticationBuilder AddStores<TContext>(VezaAuthenticationBuilder builder, VezaEntityFrameworkCoreOptions options)
        where TContext : DbContext
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PruneBatchSize, 1, nameof(options.PruneBatchSize));
        var services = builder.Services;
        services.Replace(ServiceDescriptor.Singleton(new EfStoreSettings(options.PruneBatchSize, options.ListenForChanges)));
        services.AddSingleton(Options.Create(options));
        builder.AddChangeFeed<EfChangeFeed<TContext>>()
            .AddApiKeyStore<EfApiKeyStore<TContext>>()
            .AddOAuth2Stores<EfOAuthClientStore<TContext>, EfSigningKeyStore<TContext>, EfTokenRevocationStore<TContext>, EfSettingsStore<TContext>>()
            .AddOAuth2AppStores<EfOAuthGrantStore<TContext>, EfOAuthConsentStore<TContext>>();
        services.AddSingleton<IHostedService, VezaDatabasePreparation<TContext>>();
        return builder;
    }
}
