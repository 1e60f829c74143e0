using Microsoft.AspNetCore.Routing;
using Veza.Authentication.Administration.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Mounts the Administration pages of Veza.Authentication.</summary>
public static class VezaAdministrationEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the Administration pages under <paramref name="prefix"/>: API Keys (<c>{prefix}/api-keys/personal</c>,
    /// <c>/team</c>, <c>/apps</c>, <c>/clients</c>), Sign-in Settings (<c>{prefix}/sign-in-settings</c>) and Authorized
    /// apps (<c>{prefix}/authorized-apps</c>). Every page needs a user signed in with the host's interactive scheme;
    /// nobody signed in is challenged with it. Every form carries an antiforgery token, and every page is sent with
    /// a strict Content-Security-Policy, <c>X-Frame-Options: DENY</c> and <c>Cache-Control: no-store</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="prefix">Where the pages live. Default <c>/admin</c>.</param>
    /// <returns>The group of the pages, to add conventions (rate limiting, more authorization).</returns>
    public static RouteGroupBuilder MapVezaAdministration(this IEndpointRouteBuilder endpoints, string prefix = "/admin")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (!prefix.StartsWith('/'))
        {
            throw new ArgumentException("The prefix must start with '/'.", nameof(prefix));
        }

        return AdministrationEndpoints.Map(endpoints, prefix);
    }
}
