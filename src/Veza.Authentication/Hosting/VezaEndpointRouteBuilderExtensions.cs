using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Hosting;
using Veza.Authentication.Management;
using Veza.Authentication.Stores;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Veza's HTTP endpoints.</summary>
public static class VezaEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the key management API under <paramref name="prefix"/>: personal keys at <c>{prefix}/keys</c> and team
    /// keys at <c>{prefix}/teamkeys</c> (list, create, get, rename with PATCH, <c>{id}:revoke</c>,
    /// <c>{id}:reinstate</c>, delete). With the OAuth2 stores registered, also OAuth2 clients at
    /// <c>{prefix}/oauth2clients</c> (the same, plus <c>{id}/secrets</c>) and the sign-in settings at
    /// <c>{prefix}/signinsettings</c> (GET, PATCH). Callers authenticate with the Veza scheme.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="prefix">The route prefix. Default <c>/api/preview</c>.</param>
    /// <returns>The group, to add conventions (rate limiting, CORS, more authorization).</returns>
    public static RouteGroupBuilder MapVezaManagement(this IEndpointRouteBuilder endpoints, string prefix = "/api/preview")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix);
        group.RequireAuthorization(new AuthorizationPolicyBuilder(VezaAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .Build());
        ApiKeyManagementEndpoints.Map(group, "/keys", ApiKeyKind.Personal);
        ApiKeyManagementEndpoints.Map(group, "/teamkeys", ApiKeyKind.Team);
        if (StoreRegistrations.HasOAuth2(endpoints.ServiceProvider))
        {
            OAuthClientManagementEndpoints.Map(group, "/oauth2clients");
            SignInSettingsEndpoints.Map(group, "/signinsettings");
            if (StoreRegistrations.HasOAuth2Apps(endpoints.ServiceProvider))
            {
                OAuthAppManagementEndpoints.Map(group, "/oauth2apps");
                OAuthConsentEndpoints.Map(group, "/oauth2consents");
            }
        }
        return group;
    }

    /// <summary>
    /// Maps the OAuth 2.0 authorization server's endpoints at the paths in <see cref="OAuthServerOptions"/>:
    /// metadata (<c>/.well-known/oauth-authorization-server</c>), JWKS, token, revocation, introspection, and the change
    /// feed that resource servers in other processes follow (<see cref="OAuthServerOptions.ChangeFeedPath"/>). They
    /// answer 404 while the server is switched off (the default). Needs the OAuth2 stores and
    /// <see cref="OAuthServerOptions.Issuer"/>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <returns>The endpoint route builder.</returns>
    public static IEndpointRouteBuilder MapVezaOAuth2(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        if (!StoreRegistrations.HasOAuth2(services))
        {
            throw new InvalidOperationException("MapVezaOAuth2 needs the OAuth2 stores; register them with AddInMemoryStores() or AddOAuth2Stores<...>(). Missing: "
                + string.Join(", ", StoreRegistrations.MissingOAuth2(services)) + ".");
        }

        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<VezaAuthenticationOptions>>().Value;
        if (string.IsNullOrEmpty(options.OAuth2.Issuer))
        {
            throw new InvalidOperationException("MapVezaOAuth2 needs VezaAuthenticationOptions.OAuth2.Issuer.");
        }

        Veza.Authentication.OAuth2.Endpoints.OAuthServerEndpoints.Map(endpoints, options.OAuth2);
        if (StoreRegistrations.HasOAuth2Apps(services))
        {
            if (string.IsNullOrEmpty(options.OAuth2.InteractiveScheme))
            {
                throw new InvalidOperationException("OAuth2 apps need VezaAuthenticationOptions.OAuth2.InteractiveScheme: the host's sign-in scheme (usually a cookie "
                    + "scheme) that the authorization endpoint reads the user from.");
            }

            Veza.Authentication.OAuth2.Endpoints.AuthorizationEndpoint.Map(endpoints, options.OAuth2);
        }

        return endpoints;
    }
}
