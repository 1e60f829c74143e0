using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>One page of the clients or apps a caller may see, ordered by id (ordinal), or why the caller may not list them.</summary>
/// <param name="Result"><see cref="OAuthClientResult.Success"/>, or <see cref="OAuthClientResult.Forbidden"/>.</param>
/// <param name="Items">The clients or apps on this page, with their most recent use; empty when refused.</param>
/// <param name="HasMore">Whether more match after the last one on this page.</param>
/// <param name="Error">Why the caller was refused.</param>
public sealed record OAuthClientListing(OAuthClientResult Result, IReadOnlyList<OAuthClientRecord> Items, bool HasMore, string? Error = null);
