using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

internal static class ClientMapping
{
    public static ClientRow ToRow(OAuthClientRecord client) => new()
    {
        Id = client.Id,
        Kind = (int)client.Kind,
        Name = client.Name,
        NameKey = client.Name.ToUpperInvariant(),
        TeamId = client.TeamId,
        Role = client.Role,
        AllowedScopes = [.. client.AllowedScopes],
        AccessTokenLifetimeTicks = client.AccessTokenLifetime.Ticks,
        Status = (int)client.Status,
        RevokedBy = client.RevokedBy,
        CreatedBy = client.CreatedBy,
        CreatedAt = client.CreatedAt,
        LastUsedAt = client.LastUsedAt,
        AppBaseUrl = client.App?.BaseUrl,
        AppRedirectUris = client.App is null ? null : [.. client.App.RedirectUris],
        AppIsPublic = client.App?.IsPublic ?? false,
        AppAllowAnyRedirectUri = client.App?.AllowAnyRedirectUri ?? false,
        AppAllowLoopbackRedirectUris = client.App?.AllowLoopbackRedirectUris ?? false,
    };

    public static ClientSecretRow ToRow(string clientId, OAuthClientSecretRecord secret) => new()
    {
        ClientId = clientId,
        SecretId = secret.Id,
        Hash = secret.Hash,
        CreatedAt = secret.CreatedAt,
        ExpiresAt = secret.ExpiresAt,
    };

    public static OAuthClientRecord ToRecord(ClientRow row, IEnumerable<ClientSecretRow> secrets) => new()
    {
        Id = row.Id,
        Kind = (OAuthClientKind)row.Kind,
        Name = row.Name,
        TeamId = row.TeamId,
        Role = row.Role,
        AllowedScopes = row.AllowedScopes,
        AccessTokenLifetime = TimeSpan.FromTicks(row.AccessTokenLifetimeTicks),
        Status = (OAuthClientStatus)row.Status,
        RevokedBy = row.RevokedBy,
        // Secrets in the order they were added (their ids are random).
        Secrets = [.. secrets.OrderBy(s => s.CreatedAt).ThenBy(s => s.SecretId, StringComparer.Ordinal)
            .Select(s => new OAuthClientSecretRecord(s.SecretId, s.Hash, s.CreatedAt, s.ExpiresAt))],
        CreatedBy = row.CreatedBy,
        CreatedAt = row.CreatedAt,
        LastUsedAt = row.LastUsedAt,
        App = row.AppBaseUrl is null ? null : new OAuthAppSettings
        {
            BaseUrl = row.AppBaseUrl,
            RedirectUris = row.AppRedirectUris ?? [],
            IsPublic = row.AppIsPublic,
            AllowAnyRedirectUri = row.AppAllowAnyRedirectUri,
            AllowLoopbackRedirectUris = row.AppAllowLoopbackRedirectUris,
        },
    };
}
