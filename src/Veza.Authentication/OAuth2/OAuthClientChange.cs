using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>The outcome of reading or changing a client or an app; <see cref="Secret"/> is shown once and never stored.</summary>
/// <param name="Result">The outcome.</param>
/// <param name="Client">On success: the client or app as stored now, or as it was before a delete.</param>
/// <param name="Secret">The new secret, after a create or after adding a secret.</param>
/// <param name="SecretId">The new secret's id, after a create or after adding a secret.</param>
/// <param name="Error">Why the caller was refused (<see cref="OAuthClientResult.Forbidden"/>) or a value was not acceptable
/// (<see cref="OAuthClientResult.Invalid"/>), in words fit to show the caller.</param>
public sealed record OAuthClientChange(OAuthClientResult Result, OAuthClientRecord? Client = null, string? Secret = null, string? SecretId = null, string? Error = null);
