namespace Veza.Authentication.ApiKeys;

// Failure reasons travel from the verifier to the challenge as exceptions on the AuthenticateResult, the way
// the framework's JwtBearer handler does. Their messages are fixed strings: never a key, secret or hash.

/// <summary>The key is ours but cannot be used (malformed, unknown, wrong secret, revoked, owner gone).</summary>
internal sealed class ApiKeyRejectedException(string reason) : Exception(reason)
{
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
