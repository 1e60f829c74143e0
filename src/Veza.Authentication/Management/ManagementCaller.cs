using System.Security.Claims;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// Who is calling a management endpoint and what that lets them see: their own personal keys always; as an
/// administrator of a team, that team's keys; as an administrator of the root team, everything.
/// A team's service account (team key) manages nothing.
/// </summary>
internal sealed record ManagementCaller(string Subject, string? UserId, string TeamId, bool IsTeamAdmin, bool IsRootAdmin, string? CredentialId)
{
    public bool IsUser => UserId is not null;

    public static async ValueTask<ManagementCaller?> FromPrincipalAsync(ClaimsPrincipal principal, VezaAuthenticationOptions options,
        IVezaUserDirectory directory, CancellationToken cancellationToken)
    {
        var subject = principal.FindFirst(VezaClaimTypes.Subject)?.Value;
        var team = principal.FindFirst(VezaClaimTypes.TeamId)?.Value;
        var type = principal.FindFirst(VezaClaimTypes.PrincipalType)?.Value;
        if (subject is null || team is null || type is null)
        {
            return null;
        }

        var userId = type == VezaPrincipalTypes.User ? principal.FindFirst(VezaClaimTypes.UserId)?.Value : null;
        var isAdmin = userId is not null && principal.HasClaim(VezaClaimTypes.Role, options.AdminRole);
        var isRoot = isAdmin && (await directory.FindTeamAsync(team, cancellationToken).ConfigureAwait(false))?.IsRoot == true;
        return new ManagementCaller(subject, userId, team, isAdmin, isRoot, principal.FindFirst(VezaClaimTypes.CredentialId)?.Value);
    }

    /// <summary>Whether the caller may see and change this key.</summary>
    public bool CanManage(ApiKeyRecord key)
        => IsRootAdmin
           || (IsTeamAdmin && key.TeamId == TeamId)
           || (IsUser && key.Kind == ApiKeyKind.Personal && key.OwnerUserId == UserId);
}
