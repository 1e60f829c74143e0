using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Stores;
using Veza.Authentication.Stores.InMemory;

namespace Veza.Authentication.Hosting;

/// <summary>Returned by <c>AddVezaAuthentication</c>: plugs in the stores and other replaceable parts.</summary>
public sealed class VezaAuthenticationBuilder
{
    internal VezaAuthenticationBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses <typeparamref name="TStore"/> (a singleton) for API keys.</summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddApiKeyStore<TStore>() where TStore : class, IApiKeyStore
    {
        Services.Replace(ServiceDescriptor.Singleton<IApiKeyStore, TStore>());
        return this;
    }

    /// <summary>
    /// Uses <typeparamref name="TFeed"/> (a singleton) as the change feed every instance follows. Stores of your own
    /// append to it in the same operation as each change (see <see cref="IVezaChangeFeed"/>).
    /// </summary>
    /// <typeparam name="TFeed">The feed type.</typeparam>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddChangeFeed<TFeed>() where TFeed : class, IVezaChangeFeed
    {
        Services.Replace(ServiceDescriptor.Singleton<IVezaChangeFeed, TFeed>());
        return this;
    }

    /// <summary>Uses <typeparamref name="TDirectory"/> (a singleton) as the host's user directory.</summary>
    /// <typeparam name="TDirectory">The directory type.</typeparam>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddUserDirectory<TDirectory>() where TDirectory : class, IVezaUserDirectory
    {
        Services.Replace(ServiceDescriptor.Singleton<IVezaUserDirectory, TDirectory>());
        return this;
    }

    /// <summary>Uses this directory instance as the host's user directory.</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddUserDirectory(IVezaUserDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Services.Replace(ServiceDescriptor.Singleton(directory));
        return this;
    }

    /// <summary>
    /// Keeps API keys and the OAuth2 server's state in memory (<see cref="InMemoryApiKeyStore"/> and the other
    /// in-memory stores, which share one <see cref="InMemoryChangeFeed"/>) and, unless one is registered,
    /// uses an <see cref="InMemoryUserDirectory"/> the host can fill. For development, tests and samples only:
    /// everything is lost when the process ends.
    /// </summary>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddInMemoryStores()
    {
        Services.TryAddSingleton<InMemoryChangeFeed>();
        Services.Replace(ServiceDescriptor.Singleton<IVezaChangeFeed>(sp => sp.GetRequiredService<InMemoryChangeFeed>()));
        Services.Replace(ServiceDescriptor.Singleton<IApiKeyStore, InMemoryApiKeyStore>());
        AddOAuth2Stores<InMemoryOAuthClientStore, InMemorySigningKeyStore, InMemoryTokenRevocationStore, InMemorySettingsStore>();
        AddOAuth2AppStores<InMemoryOAuthGrantStore, InMemoryOAuthConsentStore>();
        Services.TryAddSingleton<InMemoryUserDirectory>();
        Services.TryAddSingleton<IVezaUserDirectory>(sp => sp.GetRequiredService<InMemoryUserDirectory>());
        return this;
    }

    /// <summary>
    /// Uses these stores (singletons) for the OAuth2 authorization server: clients and their secrets, signing keys,
    /// revoked tokens, and the sign-in settings that switch the server on. Without them the server is unavailable and
    /// JWT-shaped bearer tokens are not Veza's.
    /// </summary>
    /// <typeparam name="TClients">The client store.</typeparam>
    /// <typeparam name="TSigningKeys">The signing key store.</typeparam>
    /// <typeparam name="TRevocations">The revoked-token store.</typeparam>
    /// <typeparam name="TSettings">The settings store.</typeparam>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddOAuth2Stores<TClients, TSigningKeys, TRevocations, TSettings>()
        where TClients : class, IOAuthClientStore
        where TSigningKeys : class, ISigningKeyStore
        where TRevocations : class, ITokenRevocationStore
        where TSettings : class, IVezaSettingsStore
    {
        Services.Replace(ServiceDescriptor.Singleton<IOAuthClientStore, TClients>());
        Services.Replace(ServiceDescriptor.Singleton<ISigningKeyStore, TSigningKeys>());
        Services.Replace(ServiceDescriptor.Singleton<ITokenRevocationStore, TRevocations>());
        Services.Replace(ServiceDescriptor.Singleton<IVezaSettingsStore, TSettings>());
        return this;
    }

    /// <summary>
    /// Uses these stores for OAuth2 apps (authorization codes, grants and refresh tokens; consents), in addition to the
    /// stores of <see cref="AddOAuth2Stores{TClients, TSigningKeys, TRevocations, TSettings}"/>. Without them the
    /// authorization endpoint and the app grants are not offered.
    /// </summary>
    /// <typeparam name="TGrants">The grant store.</typeparam>
    /// <typeparam name="TConsents">The consent store.</typeparam>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddOAuth2AppStores<TGrants, TConsents>()
        where TGrants : class, IOAuthGrantStore
        where TConsents : class, IOAuthConsentStore
    {
        Services.Replace(ServiceDescriptor.Singleton<IOAuthGrantStore, TGrants>());
        Services.Replace(ServiceDescriptor.Singleton<IOAuthConsentStore, TConsents>());
        return this;
    }

    /// <summary>Sends audit events to <typeparamref name="TSink"/> (a singleton) instead of the log.</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <returns>This builder.</returns>
    public VezaAuthenticationBuilder AddAuditSink<TSink>() where TSink : class, IVezaAuditSink
    {
        Services.Replace(ServiceDescriptor.Singleton<IVezaAuditSink, TSink>());
        return this;
    }
}
