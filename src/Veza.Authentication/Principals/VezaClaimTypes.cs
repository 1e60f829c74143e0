namespace Veza.Authentication.Principals;

/// <summary>Claim types on principals produced by Veza authentication.</summary>
public static class VezaClaimTypes
{
    /// <summary>
    /// The subject, namespaced by principal type so an id of one kind can never pass for another:
    /// <c>user:&lt;id&gt;</c>, <c>team:&lt;id&gt;</c> (a team's service account) or <c>client:&lt;id&gt;</c>.
    /// </summary>
    public const string Subject = "sub";

    /// <summary>The display name.</summary>
    public const string Name = "name";

    /// <summary>One of the <see cref="VezaPrincipalTypes"/> values.</summary>
    public const string PrincipalType = "veza_principal_type";

    /// <summary>The host's user id, on user principals only.</summary>
    public const string UserId = "veza_user_id";

    /// <summary>The team the credential is scoped to.</summary>
    public const string TeamId = "veza_team_id";

    /// <summary>A role in effect (one claim per role). It is the principal's role claim type.</summary>
    public const string Role = "role";

    /// <summary>A permission in effect (one claim per permission).</summary>
    public const string Permission = "veza_permission";

    /// <summary>One of the <see cref="VezaAuthenticationMethods"/> values.</summary>
    public const string AuthenticationMethod = "veza_auth_method";

    /// <summary>The id of the credential used (API key id, OAuth2 client id).</summary>
    public const string CredentialId = "veza_credential_id";

    /// <summary>The OAuth2 client the credential was issued to (RFC 9068 <c>client_id</c>); OAuth2 tokens only.</summary>
    public const string ClientId = "client_id";

    /// <summary>A granted OAuth2 scope (one claim per scope); OAuth2 tokens only. Scopes are permission names.</summary>
    public const string Scope = "scope";
}

/// <summary>Values of the <see cref="VezaClaimTypes.PrincipalType"/> claim.</summary>
public static class VezaPrincipalTypes
{
    /// <summary>A person.</summary>
    public const string User = "user";

    /// <summary>A team's service account (team API keys).</summary>
    public const string ServiceAccount = "service_account";

    /// <summary>An OAuth2 client acting for itself.</summary>
    public const string Client = "client";
}

/// <summary>Values of the <see cref="VezaClaimTypes.AuthenticationMethod"/> claim.</summary>
public static class VezaAuthenticationMethods
{
    /// <summary>A personal API key.</summary>
    public const string PersonalApiKey = "personal_api_key";

    /// <summary>A team API key.</summary>
    public const string TeamApiKey = "team_api_key";

    /// <summary>An OAuth2 client's access token (client credentials grant).</summary>
    public const string OAuth2Client = "oauth2_client";

    /// <summary>An OAuth2 app's access token, acting for the user who consented.</summary>
    public const string OAuth2App = "oauth2_app";
}
