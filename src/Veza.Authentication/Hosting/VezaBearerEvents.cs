using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

/// <summary>
/// Options of the schemes <c>AddVezaAuthentication</c> registers (<c>Veza</c> and <c>Veza.ApiKey</c>). Everything
/// they need comes from <see cref="VezaAuthenticationOptions"/>, including <see cref="VezaAuthenticationOptions.Events"/>;
/// this type exists so the event contexts can name it, as the framework's own handlers do.
/// </summary>
public sealed class VezaBearerSchemeOptions : AuthenticationSchemeOptions
{
    /// <summary>The events, taken from <see cref="VezaAuthenticationOptions.Events"/> unless set for the scheme.</summary>
    public new VezaBearerEvents? Events
    {
        get => (VezaBearerEvents?)base.Events;
        set => base.Events = value;
    }

    /// <summary>Which credentials the scheme accepts: every kind for <c>Veza</c>, API keys for <c>Veza.ApiKey</c>.</summary>
    internal VezaCredentialKinds Accepts { get; set; } = VezaCredentialKinds.All;
}

/// <summary>Kinds of bearer credential, recognised by the shape of the token.</summary>
[Flags]
internal enum VezaCredentialKinds
{
    None = 0,
    ApiKey = 1,
    AccessToken = 2,
    All = ApiKey | AccessToken,
}

/// <summary>
/// Hooks into the Veza bearer schemes, in the manner of <c>JwtBearerEvents</c>: set the delegates, or derive and
/// override the methods and register the type with <see cref="AuthenticationSchemeOptions.EventsType"/>. The
/// defaults do nothing, so the library's own RFC 6750 answers are written.
/// </summary>
public class VezaBearerEvents
{
    /// <summary>Runs when a credential was presented but could not be used. The context may replace the result.</summary>
    public Func<VezaAuthenticationFailedContext, Task> OnAuthenticationFailed { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Runs before the 401/429/503 answer is written; call <see cref="VezaBearerChallengeContext.HandleResponse"/>
    /// to write your own.</summary>
    public Func<VezaBearerChallengeContext, Task> OnChallenge { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Runs before the 403 answer is written; call <see cref="VezaForbiddenContext.HandleResponse"/> to write your own.</summary>
    public Func<VezaForbiddenContext, Task> OnForbidden { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Invokes <see cref="OnAuthenticationFailed"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task AuthenticationFailed(VezaAuthenticationFailedContext context) => OnAuthenticationFailed(context);

    /// <summary>Invokes <see cref="OnChallenge"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task Challenge(VezaBearerChallengeContext context) => OnChallenge(context);

    /// <summary>Invokes <see cref="OnForbidden"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task Forbidden(VezaForbiddenContext context) => OnForbidden(context);
}

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
    }

    /// <summary>Why the credential was refused.</summary>
    public Exception Exception { get; }
}

/// <summary>
/// The answer to a request that needs authentication and does not have it. <see cref="StatusCode"/>,
/// <see cref="Error"/> and <see cref="ErrorDescription"/> hold what will be written (RFC 6750 §3); change them, or
/// call <see cref="HandleResponse"/> and write the response yourself.
/// </summary>
public sealed class VezaBearerChallengeContext : PropertiesContext<VezaBearerSchemeOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The challenge's properties.</param>
    public VezaBearerChallengeContext(HttpContext context, AuthenticationScheme scheme, VezaBearerSchemeOptions options, AuthenticationProperties? properties)
        : base(context, scheme, options, properties)
    {
    }

    /// <summary>Why authentication failed, or <see langword="null"/> when no credential was sent.</summary>
    public Exception? AuthenticateFailure { get; init; }

    /// <summary>The HTTP status: 401, or 429/503 when the credential could not be checked now.</summary>
    public int StatusCode { get; set; }

    /// <summary>The RFC 6750 error code (<c>invalid_token</c>, <c>invalid_request</c>), or <see langword="null"/>.</summary>
    public string? Error { get; set; }

    /// <summary>The human-readable description, also the <c>message</c> of the JSON body.</summary>
    public string? ErrorDescription { get; set; }

    /// <summary>Whether the host wrote the response itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the library's answer: the host writes the response.</summary>
    public void HandleResponse() => Handled = true;
}

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
