using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Hosting.Startup;

/// <summary>
/// Checks the options, and that the host registered its stores, when the host starts. It applies every area's rules
/// (key prefixes, signing algorithms), so it sits above them all, apart from the options it checks.
/// </summary>
internal sealed class VezaAuthenticationOptionsValidator(IServiceProviderIsService services) : IValidateOptions<VezaAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, VezaAuthenticationOptions options)
    {
        var errors = new List<string>();
        var keys = options.ApiKeys;
        if (!ApiKeyFormat.IsValidPrefix(keys.Prefix))
        {
            errors.Add($"ApiKeys.Prefix must be 1 to {ApiKeyFormat.MaxPrefixLength} lowercase ASCII letters or digits.");
        }

        if (keys.LastAccessFlushInterval < TimeSpan.FromMilliseconds(1))
        {
            errors.Add("ApiKeys.LastAccessFlushInterval must be at least 1 ms.");
        }

        if (keys.MaxPersonalKeysPerUserAndTeam is < 1 or > 1000 || keys.MaxTeamKeysPerTeam is < 1 or > 1000)
        {
            errors.Add("ApiKeys.MaxPersonalKeysPerUserAndTeam and ApiKeys.MaxTeamKeysPerTeam must be from 1 to 1000.");
        }

        var checks = options.SecretChecks;
        if (checks.MaxConcurrentChecks < 1)
        {
            errors.Add("SecretChecks.MaxConcurrentChecks must be at least 1.");
        }

        if (checks.QueueTimeout < TimeSpan.Zero)
        {
            errors.Add("SecretChecks.QueueTimeout must not be negative.");
        }

        if (checks.FailureLimitPerSource < 1)
        {
            errors.Add("SecretChecks.FailureLimitPerSource must be at least 1.");
        }

        if (checks.FailureWindow < TimeSpan.FromMilliseconds(1))
        {
            errors.Add("SecretChecks.FailureWindow must be at least 1 ms.");
        }

        if (checks.FingerprintKey is { } fingerprintKey && !IsKey(fingerprintKey))
        {
            errors.Add("SecretChecks.FingerprintKey must be base64 of at least 32 bytes.");
        }

        ValidateStores(options.Stores, errors);

        var a = options.Argon2id;
        if (a.Parallelism is < 1 or > Argon2idOptions.MaxParallelism)
        {
            errors.Add($"Argon2id.Parallelism must be from 1 to {Argon2idOptions.MaxParallelism}.");
        }

        if (a.Iterations is < 1 or > Argon2idOptions.MaxIterations)
        {
            errors.Add($"Argon2id.Iterations must be from 1 to {Argon2idOptions.MaxIterations}.");
        }

        if (a.MemorySizeKiB < 8 * Math.Max(1, a.Parallelism) || a.MemorySizeKiB > Argon2idOptions.MaxMemorySizeKiB)
        {
            errors.Add($"Argon2id.MemorySizeKiB must be at least 8 × Parallelism and at most {Argon2idOptions.MaxMemorySizeKiB}.");
        }

        if (a.SaltLength is < Argon2idOptions.MinSaltLength or > Argon2idOptions.MaxSaltLength
            || a.HashLength is < Argon2idOptions.MinHashLength or > Argon2idOptions.MaxHashLength)
        {
            errors.Add("Argon2id.SaltLength must be 8 to 64 bytes and Argon2id.HashLength 16 to 64 bytes.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminRole))
        {
            errors.Add("AdminRole must not be empty.");
        }

        ValidateOAuth2(options, errors);

        if (options.Events is null)
        {
            errors.Add("Events must not be null.");
        }

        if (string.IsNullOrWhiteSpace(options.TeamKeyRole))
        {
            errors.Add("TeamKeyRole must not be empty.");
        }

        if (!services.IsService(typeof(IApiKeyStore)))
        {
            errors.Add("No IApiKeyStore is registered: call AddApiKeyStore<T>(), AddInMemoryStores() or an EF Core store on the builder that AddVezaAuthentication returns.");
        }

        if (!services.IsService(typeof(IVezaChangeFeed)))
        {
            errors.Add("No IVezaChangeFeed is registered: call AddChangeFeed<T>(), AddInMemoryStores() or an EF Core store on the builder that AddVezaAuthentication returns.");
        }

        if (!services.IsService(typeof(IVezaUserDirectory)))
        {
            errors.Add("No IVezaUserDirectory is registered: call AddUserDirectory<T>() on the builder that AddVezaAuthentication returns.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateOAuth2(VezaAuthenticationOptions options, List<string> errors)
    {
        var oauth = options.OAuth2;
        if (oauth.Issuer is not null && !IsIssuer(oauth.Issuer))
        {
            errors.Add("OAuth2.Issuer must be an absolute https URL without query or fragment (http only for loopback hosts).");
        }

        if (oauth.Audience is { Length: 0 })
        {
            errors.Add("OAuth2.Audience must not be empty when set.");
        }

        if (oauth.MaxAccessTokenLifetime <= TimeSpan.Zero || oauth.MaxAccessTokenLifetime > TimeSpan.FromDays(1)
            || oauth.DefaultAccessTokenLifetime <= TimeSpan.Zero || oauth.DefaultAccessTokenLifetime > oauth.MaxAccessTokenLifetime)
        {
            errors.Add("OAuth2.MaxAccessTokenLifetime must be positive and at most 1 day, and DefaultAccessTokenLifetime positive and at most the maximum.");
        }

        if (oauth.ClockSkew < TimeSpan.Zero || oauth.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add("OAuth2.ClockSkew must be from 0 to 5 minutes.");
        }

        if (Array.IndexOf(SigningKeyRing.AllowedAlgorithms, oauth.SigningAlgorithm) < 0)
        {
            errors.Add("OAuth2.SigningAlgorithm must be RS256 or ES256.");
        }

        if (oauth.SigningKeyLifetime < TimeSpan.FromMinutes(1) || oauth.SigningKeyAnnouncement < TimeSpan.Zero
            || oauth.SigningKeyAnnouncement >= oauth.SigningKeyLifetime)
        {
            errors.Add("OAuth2.SigningKeyLifetime must be at least 1 minute, and SigningKeyAnnouncement from 0 to less than the lifetime.");
        }

        if (oauth.MaxClientsPerTeam is < 1 or > 1000)
        {
            errors.Add("OAuth2.MaxClientsPerTeam must be from 1 to 1000.");
        }

        if (!ApiKeyFormat.IsValidPrefix(oauth.ClientSecretPrefix) || oauth.ClientSecretPrefix == options.ApiKeys.Prefix)
        {
            errors.Add("OAuth2.ClientSecretPrefix must be a valid prefix, different from ApiKeys.Prefix.");
        }

        if (oauth.AuthorizationCodeLifetime < TimeSpan.FromSeconds(5) || oauth.AuthorizationCodeLifetime > TimeSpan.FromMinutes(10))
        {
            errors.Add("OAuth2.AuthorizationCodeLifetime must be from 5 seconds to 10 minutes.");
        }

        if (oauth.RefreshTokenSlidingLifetime < TimeSpan.FromMinutes(1) || oauth.RefreshTokenAbsoluteLifetime < oauth.RefreshTokenSlidingLifetime
            || oauth.RefreshTokenAbsoluteLifetime > TimeSpan.FromDays(365))
        {
            errors.Add("OAuth2.RefreshTokenSlidingLifetime must be at least 1 minute, and RefreshTokenAbsoluteLifetime at least the sliding lifetime and at most 365 days.");
        }

        if (oauth.MaxPendingCodesPerUserAndApp is < 1 or > 1000)
        {
            errors.Add("OAuth2.MaxPendingCodesPerUserAndApp must be from 1 to 1000.");
        }

        if (string.IsNullOrEmpty(oauth.UserIdClaimType) || oauth.InteractiveScheme is { Length: 0 })
        {
            errors.Add("OAuth2.UserIdClaimType must be set, and OAuth2.InteractiveScheme must not be empty when set.");
        }

        string[] paths = [oauth.TokenPath, oauth.RevocationPath, oauth.IntrospectionPath, oauth.JwksPath, oauth.AuthorizationPath, oauth.ChangeFeedPath];
        if (paths.Any(p => string.IsNullOrEmpty(p) || p[0] != '/' || p.Contains('?', StringComparison.Ordinal)) || paths.Distinct(StringComparer.OrdinalIgnoreCase).Count() != paths.Length)
        {
            errors.Add("OAuth2 endpoint paths must start with '/', have no query, and differ from each other.");
        }

        if (string.IsNullOrWhiteSpace(oauth.ChangeFeedScope) || oauth.ChangeFeedScope.Contains(' ', StringComparison.Ordinal))
        {
            errors.Add("OAuth2.ChangeFeedScope must be one scope: not empty, without spaces.");
        }
    }

    private static bool IsIssuer(string issuer)
        => Uri.TryCreate(issuer, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && !issuer.Contains('#', StringComparison.Ordinal);

    private static bool IsKey(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var length) && length >= 32;
    }

    private static void ValidateStores(VezaStoreOptions stores, List<string> errors)
    {
        if (stores.Timeout <= TimeSpan.Zero)
        {
            errors.Add("Stores.Timeout must be positive.");
        }

        if (stores.CacheDuration <= TimeSpan.Zero)
        {
            errors.Add("Stores.CacheDuration must be positive.");
        }

        if (stores.MaxCachedCredentials < 100)
        {
            errors.Add("Stores.MaxCachedCredentials must be at least 100.");
        }

        if (stores.ChangePollInterval < TimeSpan.FromMilliseconds(10) || stores.ChangePollInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add("Stores.ChangePollInterval must be from 10 ms to 1 minute.");
        }

        if (stores.ChangeGapWait <= TimeSpan.Zero)
        {
            errors.Add("Stores.ChangeGapWait must be positive.");
        }

        if (stores.MaxChangeLag < 2 * stores.ChangePollInterval)
        {
            errors.Add("Stores.MaxChangeLag must be at least twice Stores.ChangePollInterval.");
        }

        if (stores.ChangeRetention < 10 * stores.ChangePollInterval || stores.ChangeRetention <= 2 * stores.ChangeGapWait)
        {
            errors.Add("Stores.ChangeRetention must be at least ten times Stores.ChangePollInterval and more than twice Stores.ChangeGapWait.");
        }
    }
}
