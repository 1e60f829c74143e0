using System.Collections.Frozen;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Principals;

/// <summary>Builds the one principal shape every Veza credential produces.</summary>
internal sealed class VezaPrincipalFactory
{
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
        var claims = new List<Claim>(8 + roles.Count * 2)
        {
            new(VezaClaimTypes.Subject, subject),
            new(VezaClaimTypes.Name, name),
            new(VezaClaimTypes.PrincipalType, principalType),
            new(VezaClaimTypes.TeamId, teamId),
            new(VezaClaimTypes.AuthenticationMethod, method),
            new(VezaClaimTypes.CredentialId, credentialId),
        };
        if (userId is not null)
        {
            claims.Add(new Claim(VezaClaimTypes.UserId, userId));
        }

        HashSet<string>? seen = null;
        for (var i = 0; i < roles.Count; i++)
        {
            claims.Add(new Claim(VezaClaimTypes.Role, roles[i]));
            if (!_permissionsByRole.TryGetValue(roles[i], out var permissions))
            {
                continue;
            }

            foreach (var permission in permissions)
            {
                if (roles.Count == 1 || (seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(permission))
                {
                    claims.Add(new Claim(VezaClaimTypes.Permission, permission));
                }
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, VezaClaimTypes.Name, VezaClaimTypes.Role));
    }
}
