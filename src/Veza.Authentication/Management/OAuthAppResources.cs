using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>An app as the management API shows it. <c>client_secret</c> is empty except in the create response.</summary>
internal sealed record OAuthAppResource(
    string ClientId,
    string ClientSecret,
    string Name,
    string BaseUrl,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> Scopes,
    bool IsPublic,
    bool AllowAnyRedirectUri,
    bool AllowLoopbackRedirectUris,
    long AccessTokenLifetimeSeconds,
    string Status,
    string CreatedAt,
    string LastUsedAt,
    IReadOnlyList<ClientSecretResource> Secrets)
{
    public static OAuthAppResource From(OAuthClientRecord app, string? secret = null)
    {
        var client = OAuthClientResource.From(app, secret);
        var settings = app.App!;
        return new(client.ClientId, client.ClientSecret, client.Name, settings.BaseUrl, settings.RedirectUris, client.Scopes, settings.IsPublic,
            settings.AllowAnyRedirectUri, settings.AllowLoopbackRedirectUris, client.AccessTokenLifetimeSeconds, client.Status, client.CreatedAt, client.LastUsedAt,
            client.Secrets);
    }
}

internal sealed record OAuthAppValueResponse(OAuthAppResource Value);

internal sealed record OAuthAppListResponse(IReadOnlyList<OAuthAppResource> Values, string NextPageToken, bool HasMore);

internal sealed record OAuthAppRequest(
    string? Name,
    string? BaseUrl,
    IReadOnlyList<string>? RedirectUris,
    IReadOnlyList<string>? Scopes,
    bool? IsPublic,
    bool? AllowAnyRedirectUri,
    bool? AllowLoopbackRedirectUris,
    long? AccessTokenLifetimeSeconds);

internal sealed record AppSecretValueResponse(string SecretId, string ClientSecret, OAuthAppResource Value);

internal sealed record OAuthConsentResource(string AppId, string AppName, string BaseUrl, string TeamId, IReadOnlyList<string> Scopes, string GrantedAt);

internal sealed record OAuthConsentListResponse(IReadOnlyList<OAuthConsentResource> Values);

internal sealed record OAuthConsentWithdrawn(string AppId, int Withdrawn);
