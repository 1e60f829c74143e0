using System.Collections.Frozen;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Principals;

/// <summary>Builds the one principal shape every Veza credential produces.</summary>
internal sealed class VezaPrincipalFactory
{
    private const string Issuer = "Veza";
    private readonly FrozenDictionary<string, string[]> _permissionsByRole;

    public VezaPrincipalFactory(IOptions<VezaAuthenticationOptions> options)
    {
        _permissionsByRole = options.Value.Roles.ToFrozenDictionary(
            r => r.Key, r => r.Value.Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
    }

    public static string UserSubject(string userId) => "user:" + userId;

    public static string TeamSubject(string teamId) => "team:" + teamId;

    public ClaimsPrincipal Create(
        string scheme, string subject, string name, string principalType, string? userId, string teamId,
        IReadOnlyList<string> roles, string method, string credentialId)
    {
        // Claims are created with the identity as their subject, so ClaimsIdentity does not copy each one.
        var identity = new ClaimsIdentity(scheme, VezaClaimTypes.Name, VezaClaimTypes.Role);
        identity.AddClaim(new Claim(VezaClaimTypes.Subject, subject, ClaimValueTypes.String, Issuer, Issuer, identity));
        identity.AddClaim(new Claim(VezaClaimTypes.Name, name, ClaimValueTypes.String, Issuer, Issuer, identity));
        identity.AddClaim(new Claim(VezaClaimTypes.PrincipalType, principalType, ClaimValueTypes.String, Issuer, Issuer, identity));
        identity.AddClaim(new Claim(VezaClaimTypes.TeamId, teamId, ClaimValueTypes.String, Issuer, Issuer, identity));
        identity.AddClaim(new Claim(VezaClaimTypes.AuthenticationMethod, method, ClaimValueTypes.String, Issuer, Issuer, identity));
        identity.AddClaim(new Claim(VezaClaimTypes.CredentialId, credentialId, ClaimValueTypes.String, Issuer, Issuer, identity));
        if (userId is not null)
        {
            identity.AddClaim(new Claim(VezaClaimTypes.UserId, userId, ClaimValueTypes.String, Issuer, Issuer, identity));
        }

        HashSet<string>? seen = null;
        for (var i = 0; i < roles.Count; i++)
        {
            identity.AddClaim(new Claim(VezaClaimTypes.Role, roles[i], ClaimValueTypes.String, Issuer, Issuer, identity));
            if (!_permissionsByRole.TryGetValue(roles[i], out var permissions))
            {
                continue;
            }

            foreach (var permission in permissions)
            {
                if (roles.Count == 1 || (seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(permission))
                {
                    identity.AddClaim(new Claim(VezaClaimTypes.Permission, permission, ClaimValueTypes.String, Issuer, Issuer, identity));
                }
            }
        }

        return new ClaimsPrincipal(identity);
    }
}
