using Veza.Authentication.Hosting;

namespace Veza.Authentication.Credentials;

// Failure reasons travel from the verifiers to the challenge as exceptions on the AuthenticateResult, the way
// the framework's JwtBearer handler does. Their messages are fixed strings: never a key, token, secret or hash.
// Every kind of credential and every endpoint that checks one shares them.

/// <summary>The credential is ours but cannot be used (malformed, unknown, wrong secret, revoked, expired, actor gone).</summary>
internal sealed class CredentialRejectedException(VezaAuthenticationFailureKind kind, string reason) : Exception(reason), IKnownAuthenticationFailure
{
    public VezaAuthenticationFailureKind Kind { get; } = kind;

    public string Reason { get; } = reason;
}

/// <summary>The client address has caused too many failed checks: refused before the store or Argon2id.</summary>
internal sealed class CredentialThrottledException(TimeSpan retryAfter) : Exception("Too many failed attempts from this address."), IKnownAuthenticationFailure
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    public VezaAuthenticationFailureKind Kind => VezaAuthenticationFailureKind.Throttled;
}

/// <summary>A store or the user directory failed or timed out: the request fails closed.</summary>
internal sealed class CredentialStoreUnavailableException(Exception inner)
    : Exception("The credential store is unavailable.", inner), IKnownAuthenticationFailure
{
    public VezaAuthenticationFailureKind Kind => VezaAuthenticationFailureKind.StoreUnavailable;
}
