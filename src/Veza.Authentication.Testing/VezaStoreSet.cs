using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

/// <summary>A fresh, empty set of stores that share one change feed, as one database holds them all.</summary>
/// <param name="Changes">The feed the stores append to.</param>
/// <param name="ApiKeys">The API key store.</param>
/// <param name="Clients">The client and app store.</param>
/// <param name="Grants">The grant store.</param>
/// <param name="Revocations">The revoked-token store.</param>
/// <param name="Settings">The settings store.</param>
/// <param name="SigningKeys">The signing key store.</param>
public sealed record VezaStoreSet(
    IVezaChangeFeed Changes,
    IApiKeyStore ApiKeys,
    IOAuthClientStore Clients,
    IOAuthGrantStore Grants,
    ITokenRevocationStore Revocations,
    IVezaSettingsStore Settings,
    ISigningKeyStore SigningKeys);
