using System.Text.Json.Serialization;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>A client as the management API shows it. <c>client_secret</c> is empty except in the create response.</summary>
internal sealed record OAuthClientResource(
    string ClientId,
    string ClientSecret,
    string Name,
    string TeamId,
    string Role,
    IReadOnlyList<string> Scopes,
    long AccessTokenLifetimeSeconds,
    string Status,
    string CreatedAt,
    string LastUsedAt,
    IReadOnlyList<ClientSecretResource> Secrets)
{
    public static OAuthClientResource From(OAuthClientRecord client, string? secret = null) => new(
        client.Id,
        secret ?? string.Empty,
        client.Name,
        client.TeamId,
        client.Role,
        client.AllowedScopes,
        (long)client.AccessTokenLifetime.TotalSeconds,
        client.Status == OAuthClientStatus.Active ? "ACTIVE" : "INACTIVE",
        VezaErrorWriter.FormatTimestamp(client.CreatedAt),
        client.LastUsedAt is { } used ? VezaErrorWriter.FormatTimestamp(used) : string.Empty,
        [.. client.Secrets.Select(s => new ClientSecretResource(s.Id, VezaErrorWriter.FormatTimestamp(s.CreatedAt),
            s.ExpiresAt is { } at ? VezaErrorWriter.FormatTimestamp(at) : null))]);
}

/// <summary>A secret as listed: never the secret itself.</summary>
internal sealed record ClientSecretResource(
    string Id,
    string CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExpiresAt);

internal sealed record OAuthClientValueResponse(OAuthClientResource Value);

internal sealed record OAuthClientListResponse(IReadOnlyList<OAuthClientResource> Values, string NextPageToken, bool HasMore);

internal sealed record CreateOAuthClientRequest(string? Name, string? TeamId, string? Role, IReadOnlyList<string>? Scopes, long? AccessTokenLifetimeSeconds,
    DateTimeOffset? SecretExpiresAt);

internal sealed record RenameOAuthClientRequest(string? Name);

internal sealed record AddClientSecretRequest(DateTimeOffset? ExpiresAt);

internal sealed record ClientSecretValueResponse(string SecretId, string ClientSecret, OAuthClientResource Value);

internal sealed record SignInSettingsResponse(bool Oauth2AuthorizationServerEnabled, string UpdatedAt, string UpdatedBy);

internal sealed record UpdateSignInSettingsRequest(bool? Oauth2AuthorizationServerEnabled);
