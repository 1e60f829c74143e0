using Veza.Authentication.Hosting;

namespace Veza.Authentication.Bearer;

/// <summary>The Authorization header itself is unusable (duplicated).</summary>
internal sealed class InvalidAuthorizationHeaderException(string reason) : Exception(reason), IKnownAuthenticationFailure
{
    public VezaAuthenticationFailureKind Kind => VezaAuthenticationFailureKind.InvalidRequest;
}
