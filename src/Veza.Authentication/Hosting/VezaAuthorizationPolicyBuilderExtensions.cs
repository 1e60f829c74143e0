using Veza.Authentication.Principals;

namespace Microsoft.AspNetCore.Authorization;

/// <summary>Authorization helpers for Veza principals.</summary>
public static class VezaAuthorizationPolicyBuilderExtensions
{
    /// <summary>Requires the principal to hold <paramref name="permission"/> through one of its roles.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="permission">The permission name, as configured in <c>VezaAuthenticationOptions.Roles</c>.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireVezaPermission(this AuthorizationPolicyBuilder builder, string permission)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(permission);
        return builder.RequireClaim(VezaClaimTypes.Permission, permission);
    }
}
