using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Veza.Authentication.JwtBearer;

/// <summary>
/// The principal of a Veza access token, shaped like the one the server's own scheme makes (the claim types of
/// <c>Veza.Authentication.Principals.VezaClaimTypes</c>), from what the token itself says. What the server reads from
/// its user directory at each request is not in the token, so it is not here: no <c>name</c>, and no <c>role</c> (a
/// token narrowed by scopes must never pass a role check its scopes do not cover, and only the server knows what a role
/// allows). Permissions are the token's scopes, since the server grants scopes only among the permissions the role held
/// when the token was issued.
/// </summary>
internal static class VezaClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string PrincipalType = "veza_principal_type";
    public const string UserId = "veza_user_id";
    public const string TeamId = "veza_team_id";
    public const string Permission = "veza_permission";
    public const string AuthenticationMethod = "veza_auth_method";
    public const string CredentialId = "veza_credential_id";
    public const string ClientId = "client_id";
    public const string Scope = "scope";

    // Claims the server writes into the token to bind it: the client secret or the grant it was got with.
    public const string SecretId = "veza_secret_id";
    public const string GrantId = "veza_grant_id";

    public const string ClientSubjectPrefix = "client:";
    public const string UserSubjectPrefix = "user:";

    /// <summary>The identity for a token the feed vouched for; <paramref name="access"/> says whose it is.</summary>
    public static ClaimsIdentity Create(JsonWebToken token, TokenAccess access, string authenticationType)
    {
        var issuer = token.Issuer;
        var identity = new ClaimsIdentity(authenticationType, Name, Role);
        void Add(string type, string value) => identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, issuer, issuer, identity));

        Add(Subject, token.Subject);
        Add(PrincipalType, access.UserId is null ? "client" : "user");
        Add(TeamId, access.TeamId);
        Add(AuthenticationMethod, access.UserId is null ? "oauth2_client" : "oauth2_app");
        Add(CredentialId, access.ClientId);
        if (access.UserId is not null)
        {
            Add(UserId, access.UserId);
        }

        Add(ClientId, access.ClientId);
        foreach (var scope in access.Scopes)
        {
            Add(Scope, scope);
        }

        foreach (var scope in access.Scopes)
        {
            Add(Permission, scope);
        }

        return identity;
    }
}

/// <summary>
/// Whose a token is, read from it once it validated: a client acting for itself (<see cref="UserId"/> null, bound to
/// the secret it was got with) or an app acting for a user (bound to the user's grant). <see cref="Binding"/> is that
/// secret or grant id.
/// </summary>
internal sealed record TokenAccess(string TokenId, string ClientId, string TeamId, string? UserId, string Binding, string[] Scopes)
{
    /// <summary>What the token says about its holder, or <see langword="null"/> when it lacks what every Veza access
    /// token carries (then it is not one, whoever signed it).</summary>
    public static TokenAccess? Read(JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var jti) || string.IsNullOrEmpty(jti)
            || !token.TryGetPayloadValue<string>(VezaClaims.ClientId, out var clientId) || string.IsNullOrEmpty(clientId)
            || !token.TryGetPayloadValue<string>(VezaClaims.TeamId, out var teamId) || string.IsNullOrEmpty(teamId))
        {
            return null;
        }

        token.TryGetPayloadValue<string>(VezaClaims.Scope, out var scope);
        var scopes = (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var subject = token.Subject;
        if (subject == VezaClaims.ClientSubjectPrefix + clientId)
        {
            return token.TryGetPayloadValue<string>(VezaClaims.SecretId, out var secretId) && !string.IsNullOrEmpty(secretId)
                ? new TokenAccess(jti, clientId, teamId, null, secretId, scopes)
                : null;
        }

        if (subject is { Length: > 5 } && subject.StartsWith(VezaClaims.UserSubjectPrefix, StringComparison.Ordinal)
            && token.TryGetPayloadValue<string>(VezaClaims.GrantId, out var grantId) && !string.IsNullOrEmpty(grantId))
        {
            return new TokenAccess(jti, clientId, teamId, subject[VezaClaims.UserSubjectPrefix.Length..], grantId, scopes);
        }

        return null;
    }
}
