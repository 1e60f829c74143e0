using Veza.Authentication.EntityFrameworkCore.Model;
using Veza.Authentication.Stores;

namespace Veza.Authentication.EntityFrameworkCore.Stores;

internal static class GrantMapping
{
    public static CodeRow ToRow(AuthorizationCodeRecord code) => new()
    {
        Hash = code.Hash,
        GrantId = code.GrantId,
        AppId = code.AppId,
        RedirectUri = code.RedirectUri,
        CodeChallenge = code.CodeChallenge,
        UserId = code.UserId,
        TeamId = code.TeamId,
        Scopes = [.. code.Scopes],
        ExpiresAt = code.ExpiresAt,
        RedeemedAt = code.RedeemedAt,
    };

    public static AuthorizationCodeRecord ToRecord(CodeRow row) => new()
    {
        Hash = row.Hash,
        GrantId = row.GrantId,
        AppId = row.AppId,
        RedirectUri = row.RedirectUri,
        CodeChallenge = row.CodeChallenge,
        UserId = row.UserId,
        TeamId = row.TeamId,
        Scopes = row.Scopes,
        ExpiresAt = row.ExpiresAt,
        RedeemedAt = row.RedeemedAt,
    };

    public static GrantRow ToRow(OAuthGrantRecord grant) => new()
    {
        Id = grant.Id,
        AppId = grant.AppId,
        UserId = grant.UserId,
        TeamId = grant.TeamId,
        Scopes = [.. grant.Scopes],
        CreatedAt = grant.CreatedAt,
        ExpiresAt = grant.ExpiresAt,
        RevokedAt = grant.RevokedAt,
    };

    public static OAuthGrantRecord ToRecord(GrantRow row) => new()
    {
        Id = row.Id,
        AppId = row.AppId,
        UserId = row.UserId,
        TeamId = row.TeamId,
        Scopes = row.Scopes,
        CreatedAt = row.CreatedAt,
        ExpiresAt = row.ExpiresAt,
        RevokedAt = row.RevokedAt,
    };

    public static RefreshTokenRow ToRow(RefreshTokenRecord token) => new()
    {
        Hash = token.Hash,
        GrantId = token.GrantId,
        AppId = token.AppId,
        CreatedAt = token.CreatedAt,
        ExpiresAt = token.ExpiresAt,
        RotatedAt = token.RotatedAt,
    };

    public static RefreshTokenRecord ToRecord(RefreshTokenRow row) => new()
    {
        Hash = row.Hash,
        GrantId = row.GrantId,
        AppId = row.AppId,
        CreatedAt = row.CreatedAt,
        ExpiresAt = row.ExpiresAt,
        RotatedAt = row.RotatedAt,
    };
}
