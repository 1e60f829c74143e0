namespace Veza.Authentication.Diagnostics;

/// <summary>
/// Every <see cref="VezaAuditEvent.Action"/> the library writes, for audit sinks that route or filter events. Actions
/// are stable: a new version may add some, never rename one. A refused OAuth2 request's action ends with
/// <see cref="VezaAuditEvent.RefusalSuffix"/>; the event has the error code as <see cref="VezaAuditEvent.Outcome"/>.
/// </summary>
public static class VezaAuditActions
{
    /// <summary>An authenticated API call, written when its response has been sent.</summary>
    public const string ApiCall = "api.call";

    /// <summary>An API key was created (or its creation was refused).</summary>
    public const string ApiKeyCreate = "api_key.create";

    /// <summary>An API key was renamed.</summary>
    public const string ApiKeyRename = "api_key.rename";

    /// <summary>An API key was revoked.</summary>
    public const string ApiKeyRevoke = "api_key.revoke";

    /// <summary>A revoked API key was reinstated.</summary>
    public const string ApiKeyReinstate = "api_key.reinstate";

    /// <summary>An API key was deleted.</summary>
    public const string ApiKeyDelete = "api_key.delete";

    /// <summary>A personal API key was deleted because its user was removed from the key's team.</summary>
    public const string UserRemovedFromTeamApiKeyDeleted = "user.removed_from_team.api_key_deleted";

    /// <summary>A personal API key was deleted because its user was removed from the platform.</summary>
    public const string UserRemovedApiKeyDeleted = "user.removed.api_key_deleted";

    /// <summary>An OAuth2 client was created.</summary>
    public const string OAuthClientCreate = "oauth2_client.create";

    /// <summary>An OAuth2 client was renamed.</summary>
    public const string OAuthClientRename = "oauth2_client.rename";

    /// <summary>An OAuth2 client was revoked.</summary>
    public const string OAuthClientRevoke = "oauth2_client.revoke";

    /// <summary>A revoked OAuth2 client was reinstated.</summary>
    public const string OAuthClientReinstate = "oauth2_client.reinstate";

    /// <summary>An OAuth2 client was deleted.</summary>
    public const string OAuthClientDelete = "oauth2_client.delete";

    /// <summary>A secret was added to an OAuth2 client.</summary>
    public const string OAuthClientSecretAdd = "oauth2_client.secret.add";

    /// <summary>A secret was removed from an OAuth2 client.</summary>
    public const string OAuthClientSecretRemove = "oauth2_client.secret.remove";

    /// <summary>An OAuth2 app was created.</summary>
    public const string OAuthAppCreate = "oauth2_app.create";

    /// <summary>An OAuth2 app's settings were changed.</summary>
    public const string OAuthAppUpdate = "oauth2_app.update";

    /// <summary>An OAuth2 app was revoked, with every grant it held.</summary>
    public const string OAuthAppRevoke = "oauth2_app.revoke";

    /// <summary>A revoked OAuth2 app was reinstated.</summary>
    public const string OAuthAppReinstate = "oauth2_app.reinstate";

    /// <summary>An OAuth2 app was deleted.</summary>
    public const string OAuthAppDelete = "oauth2_app.delete";

    /// <summary>A secret was added to an OAuth2 app.</summary>
    public const string OAuthAppSecretAdd = "oauth2_app.secret.add";

    /// <summary>A secret was removed from an OAuth2 app.</summary>
    public const string OAuthAppSecretRemove = "oauth2_app.secret.remove";

    /// <summary>An OAuth2 app was allowed any redirect URI on its base URL's host.</summary>
    public const string OAuthAppAllowAnyRedirectUri = "oauth2_app.allow_any_redirect_uri";

    /// <summary>The OAuth2 authorization server was switched on.</summary>
    public const string OAuthServerEnable = "oauth2_server.enable";

    /// <summary>The OAuth2 authorization server was switched off.</summary>
    public const string OAuthServerDisable = "oauth2_server.disable";

    /// <summary>The authorization endpoint issued a code to an app.</summary>
    public const string Authorize = "oauth2.authorize";

    /// <summary>The authorization endpoint refused a request.</summary>
    public const string AuthorizeRefuse = "oauth2.authorize.refuse";

    /// <summary>A user allowed an app on the consent page.</summary>
    public const string ConsentGrant = "oauth2.consent.grant";

    /// <summary>A user denied an app on the consent page.</summary>
    public const string ConsentDeny = "oauth2.consent.deny";

    /// <summary>A user's consent to an app was withdrawn, with the grants it led to.</summary>
    public const string ConsentWithdraw = "oauth2.consent.withdraw";

    /// <summary>The token endpoint issued tokens.</summary>
    public const string TokenIssue = "oauth2.token.issue";

    /// <summary>The token endpoint refused a request.</summary>
    public const string TokenRefuse = "oauth2.token.refuse";

    /// <summary>An access token was revoked by the client it was issued to.</summary>
    public const string TokenRevoke = "oauth2.token.revoke";

    /// <summary>A refresh token was revoked by its app, and the grant it belongs to with it.</summary>
    public const string RefreshTokenRevoke = "oauth2.refresh_token.revoke";

    /// <summary>The revocation endpoint refused a request.</summary>
    public const string RevokeRefuse = "oauth2.revoke.refuse";

    /// <summary>The introspection endpoint refused a request.</summary>
    public const string IntrospectRefuse = "oauth2.introspect.refuse";
}
