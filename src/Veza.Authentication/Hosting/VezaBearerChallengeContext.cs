using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

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

    /// <summary>Why authentication failed, as a kind, or <see langword="null"/> when no credential was sent.</summary>
    public VezaAuthenticationFailureKind? FailureKind => AuthenticateFailure is null ? null : IKnownAuthenticationFailure.KindOf(AuthenticateFailure);

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
