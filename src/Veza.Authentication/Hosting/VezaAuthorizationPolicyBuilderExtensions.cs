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

    /// <summary>
    /// Requires the OAuth2 scope <paramref name="scope"/>: a token must have been granted it, and, since a scope
    /// never means more than a permission, the principal must hold the permission of the same name now. A credential
    /// without scopes (an API key) needs the permission only, as with <see cref="RequireVezaPermission"/>.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scope">The scope, which is a permission name.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireVezaScope(this AuthorizationPolicyBuilder builder, string scope)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        return builder.RequireAssertion(context =>
            context.User.HasClaim(VezaClaimTypes.Permission, scope)
            && (!context.User.HasClaim(c => c.Type == VezaClaimTypes.Scope) || context.User.HasClaim(VezaClaimTypes.Scope, scope)));
    }
}
