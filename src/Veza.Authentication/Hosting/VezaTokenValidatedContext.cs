using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

/// <summary>
/// A credential was verified and <see cref="ResultContext{TOptions}.Principal"/> is who it stands for. Change the
/// principal, or call <c>Fail(...)</c> to refuse it; with no call the principal is accepted.
/// </summary>
public sealed class VezaTokenValidatedContext : ResultContext<VezaBearerSchemeOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    public VezaTokenValidatedContext(HttpContext context, AuthenticationScheme scheme, VezaBearerSchemeOptions options)
        : base(context, scheme, options)
    {
    }
}
