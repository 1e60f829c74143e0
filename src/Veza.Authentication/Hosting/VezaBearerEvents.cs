using Microsoft.AspNetCore.Authentication;

namespace Veza.Authentication.Hosting;

/// <summary>
/// Hooks into the Veza bearer schemes, in the manner of <c>JwtBearerEvents</c>: set the delegates, or derive and
/// override the methods and register the type with <see cref="AuthenticationSchemeOptions.EventsType"/>. The
/// defaults do nothing, so the library's own RFC 6750 answers are written.
/// </summary>
public class VezaBearerEvents
{
    private static readonly Func<VezaMessageReceivedContext, Task> NoMessageReceived = static _ => Task.CompletedTask;
    private static readonly Func<VezaTokenValidatedContext, Task> NoTokenValidated = static _ => Task.CompletedTask;

    /// <summary>
    /// Runs first, before the Authorization header is read. Set <see cref="VezaMessageReceivedContext.Token"/> to supply
    /// the token from elsewhere (another header, a query string for a WebSocket), or call <c>NoResult()</c>,
    /// <c>Fail(...)</c> or <c>Success()</c> to decide without the library.
    /// </summary>
    public Func<VezaMessageReceivedContext, Task> OnMessageReceived { get; set; } = NoMessageReceived;

    /// <summary>
    /// Runs after a credential was verified, with its principal: look at it, change it, or call <c>Fail(...)</c> to
    /// refuse it (the caller then gets the usual <c>401 invalid_token</c>).
    /// </summary>
    public Func<VezaTokenValidatedContext, Task> OnTokenValidated { get; set; } = NoTokenValidated;

    /// <summary>Runs when a credential was presented but could not be used. The context may replace the result.</summary>
    public Func<VezaAuthenticationFailedContext, Task> OnAuthenticationFailed { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Runs before the 401/429/503 answer is written; call <see cref="VezaBearerChallengeContext.HandleResponse"/>
    /// to write your own.</summary>
    public Func<VezaBearerChallengeContext, Task> OnChallenge { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Runs before the 403 answer is written; call <see cref="VezaForbiddenContext.HandleResponse"/> to write your own.</summary>
    public Func<VezaForbiddenContext, Task> OnForbidden { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Invokes <see cref="OnMessageReceived"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task MessageReceived(VezaMessageReceivedContext context) => OnMessageReceived(context);

    /// <summary>Invokes <see cref="OnTokenValidated"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task TokenValidated(VezaTokenValidatedContext context) => OnTokenValidated(context);

    // Whether the two per-request events do anything: a request pays for their contexts only when they do.
    internal bool HandlesMessageReceived => GetType() != typeof(VezaBearerEvents) || !ReferenceEquals(OnMessageReceived, NoMessageReceived);

    internal bool HandlesTokenValidated => GetType() != typeof(VezaBearerEvents) || !ReferenceEquals(OnTokenValidated, NoTokenValidated);

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
