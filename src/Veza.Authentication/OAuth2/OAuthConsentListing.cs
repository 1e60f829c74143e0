namespace Veza.Authentication.OAuth2;

/// <summary>A user's consents, or why the caller may not see them.</summary>
/// <param name="Result"><see cref="OAuthClientResult.Success"/>, <see cref="OAuthClientResult.Forbidden"/>, or
/// <see cref="OAuthClientResult.Invalid"/> when the host named no user.</param>
/// <param name="Items">The consents, one per app and team; empty when refused.</param>
/// <param name="Error">Why the caller was refused.</param>
public sealed record OAuthConsentListing(OAuthClientResult Result, IReadOnlyList<OAuthConsentEntry> Items, string? Error = null);
