using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>The outcome of creating, reading or changing a key.</summary>
/// <param name="Result">The outcome.</param>
/// <param name="Key">On success: the key as it is now (created, read or renamed), or as it was before a delete;
/// <see langword="null"/> after a revoke or a reinstate.</param>
/// <param name="AccessKey">The full key string, after a create or an import only. It is the only copy: show it once.</param>
/// <param name="Error">Why the caller was refused or a value was not acceptable, in words fit to show the caller.</param>
public sealed record ApiKeyChange(ApiKeyResult Result, ApiKeyRecord? Key = null, string? AccessKey = null, string? Error = null);
