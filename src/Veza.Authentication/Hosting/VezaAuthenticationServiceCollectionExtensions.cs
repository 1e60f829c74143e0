using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Bearer;
using Veza.Authentication.Changes;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Hosting.Startup;
using Veza.Authentication.OAuth2;
using Veza.Authentication.OAuth2.Endpoints;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Veza authentication.</summary>
public static class VezaAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Registers the "Veza" authentication scheme, which routes each bearer token by its shape to the authenticator
    /// of its kind (API keys; OAuth2 access tokens), and the services behind it. "Veza" becomes the default scheme
    /// unless <see cref="VezaAuthenticationOptions.SetDefaultScheme"/> is turned off. A token that is not Veza's
    /// yields no result, so anonymous endpoints and other schemes keep working. Options are validated when the
    /// host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to plug in the stores.</returns>
    public static VezaAuthenticationBuilder AddVezaAuthentication(this IServiceCollection services, Action<VezaAuthenticationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<VezaAuthenticationOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VezaAuthenticationOptions>, VezaAuthenticationOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISecretHasher, Argon2idSecretHasher>();
        services.TryAddSingleton<IVezaAuditSink, LoggingAuditSink>();
        services.TryAddSingleton<VezaPrincipalResolver>();
        services.TryAddSingleton<CallAuditor>();
        services.TryAddSingleton<SecretCheckGate>();
        services.TryAddSingleton<SecretFingerprints>();
        services.TryAddSingleton<StoredSecrets>();
        services.TryAddSingleton(sp => new VezaPasswordVerifier(
            sp.GetRequiredService<StoredSecrets>(), sp.GetRequiredService<SourceFailureThrottle>(), sp.GetRequiredService<AuthenticationFailureLog>()));
        services.TryAddSingleton<SourceFailureThrottle>();
        services.TryAddSingleton<AuthenticationFailureLog>();
        services.TryAddSingleton<RefusalAuditor>();
        services.TryAddSingleton(sp => new QuietHandlerLoggerFactory(sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<SecretHashUpgrader>();
        services.TryAddSingleton<ApiKeyVerifier>();
        services.TryAddSingleton<ApiKeyUsageRecorder>();
        services.TryAddSingleton<ApiKeyAuthenticator>();

        // The OAuth2 authorization server and the resource side of its tokens; they need the OAuth2 stores
        // (AddInMemoryStores registers in-memory ones), and stay unused without them.
        services.AddDataProtection();
        services.TryAddSingleton<OAuthServerServices>();
        services.TryAddSingleton<OAuthServerSwitch>();
        services.TryAddSingleton<SigningKeyRing>();
        services.TryAddSingleton<AccessTokenCodec>();
        services.TryAddSingleton<TokenRevocationList>();
        services.TryAddSingleton<ClientStates>();
        services.TryAddSingleton(sp => sp.GetService<Veza.Authentication.Stores.IOAuthGrantStore>() is { } grants
            ? new GrantStates(grants, sp.GetRequiredService<IOptions<VezaAuthenticationOptions>>(), sp.GetRequiredService<TimeProvider>())
            : null!);
        services.TryAddSingleton<ClientSecretVerifier>();
        services.TryAddSingleton<ClientUsageRecorder>();
        services.TryAddSingleton<AccessTokenAuthenticator>();
        services.TryAddSingleton(sp => new SignInSettingsService(
            sp.GetRequiredService<OAuthServerSwitch>(), sp.GetRequiredService<IVezaAuditSink>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new OAuthClientService(
            sp.GetRequiredService<Veza.Authentication.Stores.IOAuthClientStore>(),
            sp.GetRequiredService<StoredSecrets>(),
            sp.GetRequiredService<ClientSecretVerifier>(),
            sp.GetRequiredService<ClientStates>(),
            sp.GetRequiredService<OAuthServerSwitch>(),
            sp.GetRequiredService<VezaPrincipalResolver>(),
            sp.GetRequiredService<IVezaAuditSink>(),
            sp.GetRequiredService<ClientUsageRecorder>(),
            sp.GetRequiredService<IOptions<VezaAuthenticationOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => sp.GetService<Veza.Authentication.Stores.IOAuthGrantStore>() is { } grants
            && sp.GetService<Veza.Authentication.Stores.IOAuthConsentStore>() is { } consents
            ? new UserGrants(grants, consents, sp.GetRequiredService<AccessTokenCodec>(), sp.GetRequiredService<GrantStates>(), sp.GetRequiredService<VezaPrincipalResolver>(),
                sp.GetRequiredService<IOptions<VezaAuthenticationOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<UserGrants>>())
            : null!);
        // The token endpoint's grant types, one handler and one request parser each, known to the endpoint by grant_type
        // only; metadata lists them in this order.
        services.TryAddSingleton<ITokenGrantHandler<ClientCredentialsRequest>, ClientCredentialsGrant>();
        services.TryAddSingleton<ITokenGrantHandler<AuthorizationCodeRequest>, AuthorizationCodeGrant>();
        services.TryAddSingleton<ITokenGrantHandler<RefreshTokenRequest>, RefreshTokenGrant>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITokenRequestParser, ClientCredentialsRequestParser>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITokenRequestParser, AuthorizationCodeRequestParser>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITokenRequestParser, RefreshTokenRequestParser>());
        services.TryAddSingleton<TokenGrantTypes>();
        services.AddAntiforgery();
        services.TryAddSingleton(sp => new OAuthAppService(
            sp.GetRequiredService<OAuthClientService>(),
            sp.GetRequiredService<Veza.Authentication.Stores.IOAuthClientStore>(),
            sp.GetService<Veza.Authentication.Stores.IOAuthGrantStore>(),
            sp.GetService<Veza.Authentication.Stores.IOAuthConsentStore>(),
            sp.GetService<GrantStates>(),
            sp.GetRequiredService<IOptions<VezaAuthenticationOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<OAuthAppService>>()));
        services.TryAddSingleton(sp => new ApiKeyService(
            sp.GetRequiredService<Veza.Authentication.Stores.IApiKeyStore>(),
            sp.GetRequiredService<StoredSecrets>(),
            sp.GetRequiredService<ApiKeyVerifier>(),
            sp.GetRequiredService<ApiKeyUsageRecorder>(),
            sp.GetRequiredService<IVezaAuditSink>(),
            sp.GetRequiredService<VezaPrincipalResolver>(),
            sp.GetRequiredService<IOptions<VezaAuthenticationOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new VezaCallerFactory(
            sp.GetRequiredService<Veza.Authentication.Stores.IVezaUserDirectory>(), sp.GetRequiredService<IOptions<VezaAuthenticationOptions>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ApiKeyUsageFlushService>());
        services.TryAddSingleton(sp => new ChangeFeedReader(
            sp.GetService<Veza.Authentication.Stores.IVezaChangeFeed>(),
            () => ChangeListeners(sp),
            sp.GetRequiredService<IOptions<VezaAuthenticationOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ChangeFeedReader>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeedReader>());

        services.AddAuthentication()
            .AddScheme<VezaBearerSchemeOptions, VezaBearerHandler>(VezaAuthenticationDefaults.AuthenticationScheme, "Veza", null)
            .AddScheme<VezaBearerSchemeOptions, VezaBearerHandler>(VezaAuthenticationDefaults.ApiKeyScheme, "Veza API key",
                scheme => scheme.Accepts = VezaCredentialKinds.ApiKey)
            .AddScheme<VezaBearerSchemeOptions, VezaBearerHandler>(VezaAuthenticationDefaults.AccessTokenScheme, "Veza OAuth2 access token",
                scheme => scheme.Accepts = VezaCredentialKinds.AccessToken);
        // The events come from VezaAuthenticationOptions unless set for a scheme; set once here rather than per request.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<VezaBearerSchemeOptions>, VezaBearerSchemeEvents>());
        services.AddOptions<AuthenticationOptions>().Configure<IOptions<VezaAuthenticationOptions>>((authentication, veza) =>
        {
            if (veza.Value.SetDefaultScheme)
            {
                authentication.DefaultScheme = VezaAuthenticationDefaults.AuthenticationScheme;
            }
        });
        services.AddAuthorization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, Veza.Authentication.Management.VezaManagementAuthorizationHandler>());

        return new VezaAuthenticationBuilder(services);
    }

    // Everything that remembers what a store said and must hear of changes made through other instances.
    private static IEnumerable<IChangeListener> ChangeListeners(IServiceProvider services)
    {
        yield return services.GetRequiredService<ApiKeyVerifier>();
        if (!Veza.Authentication.Stores.StoreRegistrations.HasOAuth2(services))
        {
            yield break;
        }

        yield return services.GetRequiredService<ClientSecretVerifier>();
        yield return services.GetRequiredService<ClientStates>();
        yield return services.GetRequiredService<TokenRevocationList>();
        yield return services.GetRequiredService<OAuthServerSwitch>();
        yield return services.GetRequiredService<SigningKeyRing>();
        if (Veza.Authentication.Stores.StoreRegistrations.HasOAuth2Apps(services))
        {
            yield return services.GetRequiredService<GrantStates>();
        }
    }
}
