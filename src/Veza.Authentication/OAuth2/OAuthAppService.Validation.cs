using Veza.Authentication.ApiKeys;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>What makes an app's registration acceptable: a name, an https Base URL, redirect URIs within it, and scopes
/// this service knows.</summary>
public sealed partial class OAuthAppService
{
    private const int MaxRedirectUris = 20;
    private const int MaxUriLength = 2000;

    // The draft's values with their defaults, or why one is not acceptable.
    private OAuthClientChange? Validate(OAuthAppDraft draft, out string name, out string[] scopes, out OAuthAppSettings settings, out TimeSpan lifetime)
    {
        scopes = [.. (draft.AllowedScopes ?? []).Distinct(StringComparer.Ordinal)];
        settings = new OAuthAppSettings
        {
            BaseUrl = draft.BaseUrl ?? string.Empty,
            RedirectUris = [.. (draft.RedirectUris ?? []).Distinct(StringComparer.Ordinal)],
            IsPublic = draft.IsPublic,
            AllowAnyRedirectUri = draft.AllowAnyRedirectUri,
            AllowLoopbackRedirectUris = draft.AllowLoopbackRedirectUris,
        };
        var oauth = _options.OAuth2;
        lifetime = draft.AccessTokenLifetime ?? (oauth.DefaultAccessTokenLifetime < oauth.MaxAccessTokenLifetime ? oauth.DefaultAccessTokenLifetime : oauth.MaxAccessTokenLifetime);
        if (!CredentialNames.TryNormalize(draft.Name, out name))
        {
            return Invalid("name must be " + CredentialNames.Rule + ".");
        }

        if (string.IsNullOrWhiteSpace(draft.TeamId))
        {
            return Invalid("team_id is required.");
        }

        if (!RedirectUriRules.TryParseBaseUrl(settings.BaseUrl, out var baseUri))
        {
            return Invalid("base_url must be an absolute https URL (http only for a loopback host) without user info, query or fragment, in RFC 3986 characters (an internationalised host in its punycode form).");
        }

        if (settings.RedirectUris.Count == 0 && !settings.AllowAnyRedirectUri)
        {
            return Invalid("an app needs at least one redirect URI.");
        }

        if (settings.RedirectUris.Count > MaxRedirectUris)
        {
            return Invalid($"an app may register at most {MaxRedirectUris} redirect URIs.");
        }

        foreach (var uri in settings.RedirectUris)
        {
            var problem = uri.Length > MaxUriLength ? "is too long" : RedirectUriRules.CheckRegistered(uri, baseUri, settings.AllowLoopbackRedirectUris);
            if (problem is not null)
            {
                return Invalid($"redirect URI '{Shorten(uri)}' {problem}.");
            }
        }

        var known = _options.Roles.Values.SelectMany(p => p).ToHashSet(StringComparer.Ordinal);
        known.Add(OAuthServerOptions.OfflineAccessScope);
        foreach (var scope in scopes)
        {
            if (!known.Contains(scope))
            {
                return Invalid($"scope '{Shorten(scope)}' is not a permission of this service.");
            }
        }

        if (scopes.Length == 0)
        {
            return Invalid("an app needs at least one allowed scope.");
        }

        if (lifetime <= TimeSpan.Zero || lifetime > oauth.MaxAccessTokenLifetime)
        {
            return Invalid($"access_token_lifetime must be from 1 to {(int)oauth.MaxAccessTokenLifetime.TotalSeconds} seconds.");
        }

        return null;
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
