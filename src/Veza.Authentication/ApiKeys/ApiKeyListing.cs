using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>One page of the keys a caller may see, ordered by id (ordinal), or why the caller may not list them.</summary>
/// <param name="Result"><see cref="ApiKeyResult.Success"/>, or <see cref="ApiKeyResult.Forbidden"/> when the caller
/// asked for keys it may not see.</param>
/// <param name="Items">The keys on this page, with their most recent use; empty when refused.</param>
/// <param name="HasMore">Whether keys after the last one on this page match too.</param>
/// <param name="Error">Why the caller was refused.</param>
public sealed record ApiKeyListing(ApiKeyResult Result, IReadOnlyList<ApiKeyRecord> Items, bool HasMore, string? Error = null);
