namespace Veza.Authentication.EntityFrameworkCore.Model;

// The rows the stores keep. They mirror the records of Veza.Authentication.Stores, plus the columns a database needs
// to enforce the stores' rules itself: a normalised name for case-insensitive uniqueness, an owner key that is never
// null (so team keys share one scope), and secrets, codes and tokens in tables of their own.

internal sealed class ApiKeyRow
{
    public string Id { get; set; } = "";
    public int Kind { get; set; }
    public string Name { get; set; } = "";
    public string NameKey { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string? OwnerUserId { get; set; }
    public string OwnerKey { get; set; } = "";
    public string? CreatedByUserId { get; set; }
    public string SecretHash { get; set; } = "";
    public int Status { get; set; }
    public string? RevokedBy { get; set; }
    public int RevokedAuthority { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastAccessAt { get; set; }
}

internal sealed class ClientRow
{
    public string Id { get; set; } = "";
    public int Kind { get; set; }
    public string Name { get; set; } = "";
    public string NameKey { get; set; } = "";
    public string TeamId { get; set; } = "";
    public string Role { get; set; } = "";
    public List<string> AllowedScopes { get; set; } = [];
    public long AccessTokenLifetimeTicks { get; set; }
    public int Status { get; set; }
    public string? RevokedBy { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public string? AppBaseUrl { get; set; }
    public List<string>? AppRedirectUris { get; set; }
    public bool AppIsPublic { get; set; }
    public bool AppAllowAnyRedirectUri { get; set; }
    public bool AppAllowLoopbackRedirectUris { get; set; }

    // Bumped by every change that must not race another: taking the row's write lock first serialises the secret
    // limit's count and insert.
    public long Version { get; set; }
}

internal sealed class ClientSecretRow
{
    public string ClientId { get; set; } = "";
    public string SecretId { get; set; } = "";
    public string Hash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
}

internal sealed class GrantRow
{
    public string Id { get; set; } = "";
    public string AppId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string TeamId { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class CodeRow
{
    public string Hash { get; set; } = "";
    public string GrantId { get; set; } = "";
    public string AppId { get; set; } = "";
    public string RedirectUri { get; set; } = "";
    public string CodeChallenge { get; set; } = "";
    public string UserId { get; set; } = "";
    public string TeamId { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RedeemedAt { get; set; }
}

internal sealed class RefreshTokenRow
{
    public string Hash { get; set; } = "";
    public string GrantId { get; set; } = "";
    public string AppId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
}

internal sealed class ConsentRow
{
    public string UserId { get; set; } = "";
    public string AppId { get; set; } = "";
    public string TeamId { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    public DateTimeOffset GrantedAt { get; set; }
}

internal sealed class SigningKeyRow
{
    public string Id { get; set; } = "";
    public string Algorithm { get; set; } = "";
    public byte[] ProtectedPrivateKey { get; set; } = [];
    public DateTimeOffset PublishedAt { get; set; }
    public DateTimeOffset SignsFrom { get; set; }
    public DateTimeOffset SignsUntil { get; set; }
    public DateTimeOffset UnpublishAt { get; set; }
}

internal sealed class RevokedTokenRow
{
    public string TokenId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset RevokedAt { get; set; }
}

internal sealed class SettingsRow
{
    public int Id { get; set; }
    public bool OAuth2Enabled { get; set; }
    public long Version { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

internal sealed class ChangeRow
{
    public long Sequence { get; set; }
    public int Kind { get; set; }
    public string ItemId { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
}

// One row: the last sequence handed out (its row lock, held until commit, puts sequences in commit order) and how far
// the feed has been pruned.
internal sealed class ChangeFeedStateRow
{
    public int Id { get; set; }
    public long LastSequence { get; set; }
    public long PrunedThrough { get; set; }
}
