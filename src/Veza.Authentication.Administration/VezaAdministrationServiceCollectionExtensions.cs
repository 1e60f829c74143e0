using Microsoft.Extensions.DependencyInjection.Extensions;
using Veza.Authentication.Administration;
using Veza.Authentication.Administration.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Administration pages of Veza.Authentication.</summary>
public static class VezaAdministrationServiceCollectionExtensions
{
    /// <summary>
    /// Adds what the Administration pages need (their options and antiforgery). Call it beside
    /// <c>AddVezaAuthentication</c>, then mount the pages with <c>app.MapVezaAdministration("/admin")</c>. The pages read
    /// the user signed in with the host's interactive scheme (<c>OAuth2.InteractiveScheme</c>) and the host's user
    /// directory; the services apply the same rules as on the management API.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddVezaAdministration(this IServiceCollection services, Action<VezaAdministrationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<VezaAdministrationOptions>()
            .Validate(o => o.PageSize is >= 1 and <= 100, "VezaAdministrationOptions.PageSize must be from 1 to 100.")
            .Validate(o => o.AccountPath is null || o.AccountPath.StartsWith('/'), "VezaAdministrationOptions.AccountPath must be a local path starting with '/'.")
            .ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddAntiforgery();
        services.TryAddSingleton<AdministrationMarker>();
        return services;
    }
}
