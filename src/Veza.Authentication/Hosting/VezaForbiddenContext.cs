using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

/// <summary>The answer to an authenticated request its credential does not allow (403, <c>insufficient_scope</c>).</summary>
public sealed class VezaForbiddenContext : PropertiesContext<VezaBearerSchemeOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The properties.</param>
    public VezaForbiddenContext(HttpContext context, AuthenticationScheme scheme, VezaBearerSchemeOptions options, AuthenticationProperties? properties)
        : base(context, scheme, options, properties)
    {
    }

    /// <summary>Whether the host wrote the response itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the library's answer: the host writes the response.</summary>
    public void HandleResponse() => Handled = true;
}
