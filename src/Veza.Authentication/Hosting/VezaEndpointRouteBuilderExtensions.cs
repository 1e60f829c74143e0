using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
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
    /// <c>{id}:reinstate</c>, delete). Callers authenticate with the Veza scheme.
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
        return group;
    }
}
