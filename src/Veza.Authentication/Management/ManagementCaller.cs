using System.Security.Claims;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// Who is calling a management endpoint and what that lets them do. The authority of a request is its credential's
/// team and the roles the caller holds there, never the caller's roles in other teams: a personal key scoped to a
/// team where its owner is a viewer acts as a viewer of that team, even if the owner administers another team.
/// With a credential of team T, a user manages their own personal keys of T; an administrator of T manages every key
/// of T; an administrator of the root team (with a root-team credential) manages every team's keys. A team's
/// service account (team key) manages nothing.
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

        // A third-party app acting for a user manages nothing: its token carries the user's roles for the API it was
        // granted scopes of, never the user's authority over credentials, apps or settings.
        var byApp = principal.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value == VezaAuthenticationMethods.OAuth2App;
        var userId = type == VezaPrincipalTypes.User && !byApp ? principal.FindFirst(VezaClaimTypes.UserId)?.Value : null;
        var isAdmin = userId is not null && principal.HasClaim(VezaClaimTypes.Role, options.AdminRole);
        var isRoot = isAdmin && (await directory.FindTeamAsync(team, cancellationToken).ConfigureAwait(false))?.IsRoot == true;
        return new ManagementCaller(subject, userId, team, isAdmin, isRoot, principal.FindFirst(VezaClaimTypes.CredentialId)?.Value);
    }

    /// <summary>Whether the caller may see and change this client: administrators only, of the root team for every
    /// team's clients, of a team for its own. Apps act across teams, so only administrators of the root team manage
    /// them.</summary>
    public bool CanManage(OAuthClientRecord client) => client.Kind == OAuthClientKind.App ? IsRootAdmin : CanManageClientsOf(client.TeamId);

    /// <summary>Whether the caller may create and manage the clients of <paramref name="teamId"/>.</summary>
    public bool CanManageClientsOf(string teamId) => IsRootAdmin || (IsTeamAdmin && TeamId == teamId);

    /// <summary>Whether the caller may see and change this key.</summary>
    public bool CanManage(ApiKeyRecord key) => AuthorityOver(key) != ApiKeyAuthority.None;

    /// <summary>The most authority the caller's credential carries over this key.</summary>
    public ApiKeyAuthority AuthorityOver(ApiKeyRecord key)
    {
        if (IsRootAdmin)
        {
            return ApiKeyAuthority.RootAdmin;
        }

        if (key.TeamId != TeamId)
        {
            return ApiKeyAuthority.None;
        }

        if (IsTeamAdmin)
        {
            return ApiKeyAuthority.TeamAdmin;
        }

        return IsUser && key.Kind == ApiKeyKind.Personal && key.OwnerUserId == UserId ? ApiKeyAuthority.Owner : ApiKeyAuthority.None;
    }
}
