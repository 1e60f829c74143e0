using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Hosting;

/// <summary>Checks the options, and that the host registered its stores, when the host starts.</summary>
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

        if (keys.CacheDuration <= TimeSpan.Zero)
        {
            errors.Add("ApiKeys.CacheDuration must be positive.");
        }

        if (keys.LastAccessFlushInterval < TimeSpan.FromMilliseconds(1))
        {
            errors.Add("ApiKeys.LastAccessFlushInterval must be at least 1 ms.");
        }

        if (keys.FailureLimit < 1)
        {
            errors.Add("ApiKeys.FailureLimit must be at least 1.");
        }

        if (keys.FailureWindow < TimeSpan.FromMilliseconds(1))
        {
            errors.Add("ApiKeys.FailureWindow must be at least 1 ms.");
        }

        if (keys.StoreTimeout <= TimeSpan.Zero)
        {
            errors.Add("ApiKeys.StoreTimeout must be positive.");
        }

        var a = options.Argon2id;
        if (a.Parallelism is < 1 or > 64)
        {
            errors.Add("Argon2id.Parallelism must be between 1 and 64.");
        }

        if (a.Iterations is < 1 or > 64)
        {
            errors.Add("Argon2id.Iterations must be between 1 and 64.");
        }

        if (a.MemorySizeKiB < 8 * Math.Max(1, a.Parallelism) || a.MemorySizeKiB > 4 * 1024 * 1024)
        {
            errors.Add("Argon2id.MemorySizeKiB must be at least 8 × Parallelism and at most 4 GiB.");
        }

        if (a.SaltLength is < 8 or > 64 || a.HashLength is < 16 or > 64)
        {
            errors.Add("Argon2id.SaltLength must be 8 to 64 bytes and Argon2id.HashLength 16 to 64 bytes.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminRole))
        {
            errors.Add("AdminRole must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.TeamKeyRole))
        {
            errors.Add("TeamKeyRole must not be empty.");
        }

        if (!services.IsService(typeof(IApiKeyStore)))
        {
            errors.Add("No IApiKeyStore is registered: call AddApiKeyStore<T>(), AddInMemoryStores() or an EF Core store on the builder that AddVezaAuthentication returns.");
        }

        if (!services.IsService(typeof(IVezaUserDirectory)))
        {
            errors.Add("No IVezaUserDirectory is registered: call AddUserDirectory<T>() on the builder that AddVezaAuthentication returns.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
