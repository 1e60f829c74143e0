using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

/// <summary>A credential was presented but cannot be used. <see cref="Exception"/> says why, in fixed words: it
/// never holds the credential. Call <c>NoResult()</c>, <c>Fail(...)</c> or <c>Success()</c> to replace the result.</summary>
public sealed class VezaAuthenticationFailedContext : ResultContext<VezaBearerSchemeOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="exception">Why the credential was refused.</param>
    public VezaAuthenticationFailedContext(HttpContext context, AuthenticationScheme scheme, VezaBearerSchemeOptions options, Exception exception)
        : base(context, scheme, options)
    {
        Exception = exception;
        FailureKind = IKnownAuthenticationFailure.KindOf(exception);
    }

    /// <summary>Why the credential was refused, in fixed words.</summary>
    public Exception Exception { get; }

    /// <summary>Why the credential was refused, as a kind a host can act on.</summary>
    public VezaAuthenticationFailureKind FailureKind { get; }
}
