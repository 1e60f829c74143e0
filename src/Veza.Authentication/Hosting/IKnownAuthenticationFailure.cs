namespace Veza.Authentication.Hosting;

/// <summary>
/// A failure of the library's own, which knows its <see cref="VezaAuthenticationFailureKind"/>. Any other exception
/// that fails a request was raised by a host's event.
/// </summary>
internal interface IKnownAuthenticationFailure
{
    VezaAuthenticationFailureKind Kind { get; }

    /// <summary>The kind of any failure, as the events see it.</summary>
    static VezaAuthenticationFailureKind KindOf(Exception failure)
        => failure is IKnownAuthenticationFailure known ? known.Kind : VezaAuthenticationFailureKind.RefusedByHost;
}
