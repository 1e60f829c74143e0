using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Veza.Authentication.JwtBearer;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Veza resource-server scheme: JwtBearer set up for a Veza authorization server.</summary>
public static class VezaJwtBearerExtensions
{
    /// <summary>
    /// Accepts the access tokens of the Veza authorization server <paramref name="issuer"/> under the scheme
    /// <see cref="VezaJwtBearerDefaults.AuthenticationScheme"/>. The change feed must be given its client in
    /// configuration or with the overload taking options (the host refuses to start otherwise).
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="issuer">The server's issuer, as in <see cref="VezaJwtBearerOptions.Issuer"/>.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddVezaJwtBearer(this AuthenticationBuilder builder, string issuer)
        => builder.AddVezaJwtBearer(VezaJwtBearerDefaults.AuthenticationScheme, issuer, null);

    /// <summary>
    /// Accepts the access tokens of the Veza authorization server <paramref name="issuer"/> under the scheme
    /// <see cref="VezaJwtBearerDefaults.AuthenticationScheme"/>: JwtBearer reads the keys through the server's metadata
    /// and JWKS, accepts only <c>typ: at+jwt</c>, RS256 or ES256, the issuer and the audience, within the clock skew;
    /// and a background service follows the server's change feed, so a token revoked there (itself, its grant, or its
    /// client) is refused here within <see cref="VezaChangeFeedOptions.PollInterval"/>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="issuer">The server's issuer, as in <see cref="VezaJwtBearerOptions.Issuer"/>.</param>
    /// <param name="configure">Sets the audience, the change feed's client and the rest.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddVezaJwtBearer(this AuthenticationBuilder builder, string issuer, Action<VezaJwtBearerOptions>? configure)
        => builder.AddVezaJwtBearer(VezaJwtBearerDefaults.AuthenticationScheme, issuer, configure);

    /// <summary>As <see cref="AddVezaJwtBearer(AuthenticationBuilder, string, Action{VezaJwtBearerOptions})"/>, under the
    /// scheme <paramref name="authenticationScheme"/> (one scheme per authorization server).</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="issuer">The server's issuer, as in <see cref="VezaJwtBearerOptions.Issuer"/>.</param>
    /// <param name="configure">Sets the audience, the change feed's client and the rest.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddVezaJwtBearer(this AuthenticationBuilder builder, string authenticationScheme, string issuer,
        Action<VezaJwtBearerOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(authenticationScheme);
        ArgumentException.ThrowIfNullOrWhiteSpace(issuer);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VezaResourceServers>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VezaJwtBearerOptions>, VezaJwtBearerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerPostConfigureOptions>());
        var options = services.AddOptions<VezaJwtBearerOptions>(authenticationScheme).Configure(o => o.Issuer = issuer);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddOptions<JwtBearerOptions>(authenticationScheme)
            .Configure<VezaResourceServers>((jwt, servers) => servers.Get(authenticationScheme).ConfigureJwtBearer(jwt));
        services.AddSingleton<IHostedService>(sp => new ChangeFeedService(sp.GetRequiredService<VezaResourceServers>(), authenticationScheme));
        return builder.AddScheme<JwtBearerOptions, VezaJwtBearerHandler>(authenticationScheme, "Veza access token", null);
    }
}
