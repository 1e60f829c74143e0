using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

/// <summary>
/// A request is about to be authenticated. Set <see cref="Token"/> to supply the bearer token yourself (the
/// Authorization header is then not read), or decide with <c>NoResult()</c>, <c>Fail(...)</c> or <c>Success()</c>.
/// </summary>
public sealed class VezaMessageReceivedContext : ResultContext<VezaBearerSchemeOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    public VezaMessageReceivedContext(HttpContext context, AuthenticationScheme scheme, VezaBearerSchemeOptions options)
        : base(context, scheme, options)
    {
    }

    /// <summary>The bearer token to authenticate instead of the Authorization header's (an API key or an access
    /// token, without the word <c>Bearer</c>), or <see langword="null"/> to read the header.</summary>
    public string? Token { get; set; }
}
