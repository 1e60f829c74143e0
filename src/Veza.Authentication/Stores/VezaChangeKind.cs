namespace Veza.Authentication.Stores;

/// <summary>What a <see cref="VezaChange"/> is about, which says what its <see cref="VezaChange.Id"/> names.</summary>
public enum VezaChangeKind
{
    /// <summary>An API key was revoked, reinstated, renamed or deleted; the id is the key's id.</summary>
    ApiKey = 1,

    /// <summary>An OAuth2 client or app changed status, name, scopes or secrets, or was deleted; the id is its client id.</summary>
    Client = 2,

    /// <summary>An app's grant was revoked (replayed code, reused refresh token, withdrawn consent, app revoked or
    /// deleted); the id is the grant's id.</summary>
    Grant = 3,

    /// <summary>An access token was revoked; the id is its <c>jti</c>.</summary>
    RevokedToken = 4,

    /// <summary>The sign-in settings changed (the OAuth2 switch); the id is empty.</summary>
    Settings = 5,

    /// <summary>A signing key was added or removed; the id is the key's <c>kid</c>.</summary>
    SigningKeys = 6,
}
