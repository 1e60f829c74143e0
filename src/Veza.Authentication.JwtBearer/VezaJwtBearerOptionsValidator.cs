using Microsoft.Extensions.Options;

namespace Veza.Authentication.JwtBearer;

/// <summary>Refuses to start with options that would accept tokens of the wrong server, or follow no feed by mistake.</summary>
internal sealed class VezaJwtBearerOptionsValidator : IValidateOptions<VezaJwtBearerOptions>
{
    public ValidateOptionsResult Validate(string? name, VezaJwtBearerOptions options)
    {
        var errors = new List<string>();
        if (options.Issuer is null || !IsServerUrl(options.Issuer))
        {
            errors.Add("Issuer must be an absolute https URL without query or fragment (http only on a loopback host).");
        }

        if (options.Audience is { } audience && string.IsNullOrWhiteSpace(audience))
        {
            errors.Add("Audience must not be empty when set.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add("ClockSkew must be from 0 to 5 minutes.");
        }

        if (options.BackchannelTimeout <= TimeSpan.Zero || options.BackchannelTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("BackchannelTimeout must be more than 0 and at most 1 minute.");
        }

        var feed = options.ChangeFeed;
        if (feed.Enabled)
        {
            if (string.IsNullOrWhiteSpace(feed.ClientId) || string.IsNullOrEmpty(feed.ClientSecret))
            {
                errors.Add("ChangeFeed.ClientId and ChangeFeed.ClientSecret must be set (a root-team client holding the feed's scope), or ChangeFeed.Enabled "
                    + "set to false, which accepts revoked tokens until they expire.");
            }

            if (string.IsNullOrWhiteSpace(feed.Scope) || feed.Scope.Contains(' ', StringComparison.Ordinal))
            {
                errors.Add("ChangeFeed.Scope must be one scope.");
            }

            if (feed.PollInterval < TimeSpan.FromMilliseconds(100) || feed.PollInterval > TimeSpan.FromMinutes(1))
            {
                errors.Add("ChangeFeed.PollInterval must be from 100 milliseconds to 1 minute.");
            }

            if (feed.MaxLag <= feed.PollInterval)
            {
                errors.Add("ChangeFeed.MaxLag must be more than ChangeFeed.PollInterval.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>An absolute https URL, or http on a loopback host, without query or fragment.</summary>
    internal static bool IsServerUrl(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && !value.Contains('#', StringComparison.Ordinal);
}
