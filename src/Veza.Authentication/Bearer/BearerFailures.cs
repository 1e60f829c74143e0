using Veza.Authentication.Hosting;
using Veza.Authentication.Secrets;

namespace Veza.Authentication.Bearer;

// Failure reasons travel from the verifiers to the challenge as exceptions on the AuthenticateResult, the way
// the framework's JwtBearer handler does. Their messages are fixed strings: never a key, token, secret or hash.

/// <summary>The credential is ours but cannot be used (malformed, unknown, wrong secret, revoked, expired, actor gone).</summary>
internal sealed class CredentialRejectedException(VezaAuthenticationFailureKind kind, string reason) : Exception(reason)
{
    public VezaAuthenticationFailureKind Kind { get; } = kind;

    public string Reason { get; } = reason;
}

/// <summary>The client address has caused too many failed checks: refused before the store or Argon2id.</summary>
internal sealed class CredentialThrottledException(TimeSpan retryAfter) : Exception("Too many failed attempts from this address.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A store or the user directory failed or timed out: the request fails closed.</summary>
internal sealed class CredentialStoreUnavailableException(Exception inner)
    : Exception("The credential store is unavailable.", inner);

/// <summary>The Authorization header itself is unusable (duplicated).</summary>
internal sealed class InvalidAuthorizationHeaderException(string reason) : Exception(reason);

/// <summary>The kind of a failure as the events see it.</summary>
internal static class BearerFailures
{
    public static VezaAuthenticationFailureKind KindOf(Exception failure) => failure switch
    {
        CredentialRejectedException rejected => rejected.Kind,
        CredentialThrottledException => VezaAuthenticationFailureKind.Throttled,
        SecretCheckBusyException => VezaAuthenticationFailureKind.Busy,
        InvalidAuthorizationHeaderException => VezaAuthenticationFailureKind.InvalidRequest,
        CredentialStoreUnavailableException => VezaAuthenticationFailureKind.StoreUnavailable,
        // Not one of the library's: a host's own event failed the request.
        _ => VezaAuthenticationFailureKind.RefusedByHost,
    };
}
