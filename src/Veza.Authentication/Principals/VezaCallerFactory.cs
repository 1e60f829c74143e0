using System.Security.Claims;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Principals;

/// <summary>
/// Makes the <see cref="VezaCaller"/> that the services take: from a request's principal (a Veza credential, or a
/// user signed in to the host), or for one of the host's users in a team the host chose. Registered as a singleton by
/// <c>AddVezaAuthentication</c>; it reads the host's <see cref="IVezaUserDirectory"/>.
/// </summary>
public sealed class VezaCallerFactory
{
    // What the audit trail records as the credential kind of a user signed in to the host.
    private const string InteractiveCredentialKind = "interactive_sign_in";

    private readonly IVezaUserDirectory _directory;
    private readonly string _adminRole;
    private readonly string _userIdClaimType;

    internal VezaCallerFactory(IVezaUserDirectory directory, IOptions<VezaAuthenticationOptions> options)
    {
        _directory = directory;
        _adminRole = options.Value.AdminRole;
        _userIdClaimType = options.Value.OAuth2.UserIdClaimType;
    }

    /// <summary>
    /// The caller behind a principal.
    /// <list type="bullet">
    /// <item>A principal made by the Veza scheme (it carries <see cref="VezaClaimTypes.AuthenticationMethod"/>): its
    /// credential's team, the roles the principal carries (read from the directory when the request was
    /// authenticated), and its kind. A team key, an OAuth2 client or an OAuth2 app's token becomes a caller that
    /// manages nothing.</item>
    /// <item>A user signed in to the host (a cookie, say): the user id is the claim named by
    /// <c>OAuth2.UserIdClaimType</c> (<see cref="ClaimTypes.NameIdentifier"/> by default), and the directory says
    /// whether the user is active and which roles they hold. The authority team is, in this order: the team in the
    /// principal's <see cref="VezaClaimTypes.TeamId"/> claim, when the host puts the team the user works in there;
    /// the root team, when the user is an administrator of it; the user's only team, when they hold roles in exactly
    /// one. A user of several teams and no administrator of the root team gets no caller from this method: the host
    /// asks <see cref="ForUserAsync"/> with the team the user picked.</item>
    /// </list>
    /// The directory is read at each call, so roles are those of now.
    /// </summary>
    /// <param name="principal">The request's principal.</param>
    /// <param name="cancellationToken">Cancels the directory reads.</param>
    /// <returns>The caller, or <see langword="null"/> when the principal is not authenticated, names no user, or its
    /// user is unknown, inactive, holds no role in the team, or has no single authority team.</returns>
    public async ValueTask<VezaCaller?> FromPrincipalAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (!principal.Identities.Any(i => i.IsAuthenticated))
        {
            return null;
        }

        if (principal.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value is { } method)
        {
            return await FromVezaPrincipalAsync(principal, method, cancellationToken).ConfigureAwait(false);
        }

        if (principal.FindFirst(_userIdClaimType)?.Value is not { Length: > 0 } userId)
        {
            return null;
        }

        if (principal.FindFirst(VezaClaimTypes.TeamId)?.Value is { Length: > 0 } chosenTeam)
        {
            return await ForUserAsync(userId, chosenTeam, cancellationToken).ConfigureAwait(false);
        }

        if (await _directory.FindUserAsync(userId, cancellationToken).ConfigureAwait(false) is not { IsActive: true })
        {
            return null;
        }

        (VezaTeam Team, IReadOnlyList<string> Roles)? only = null;
        var memberships = 0;
        foreach (var teamId in await _directory.GetTeamsAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            var team = await _directory.FindTeamAsync(teamId, cancellationToken).ConfigureAwait(false);
            var roles = await _directory.GetRolesAsync(userId, teamId, cancellationToken).ConfigureAwait(false);
            if (team is null || roles.Count == 0)
            {
                continue;
            }

            if (team.IsRoot && roles.Contains(_adminRole, StringComparer.Ordinal))
            {
                return Interactive(userId, team, roles);
            }

            memberships++;
            only = (team, roles);
        }

        return memberships == 1 ? Interactive(userId, only!.Value.Team, only.Value.Roles) : null;
    }

    /// <summary>
    /// The caller for one of the host's users acting in a team the host chose (for example the team picked in its
    /// own user interface), as an interactive sign-in. The host vouches that the user is signed in; the directory
    /// says whether they are active and which roles they hold in the team now.
    /// </summary>
    /// <param name="userId">The user id, as the directory knows it.</param>
    /// <param name="teamId">The team the user acts in.</param>
    /// <param name="cancellationToken">Cancels the directory reads.</param>
    /// <returns>The caller, or <see langword="null"/> when the user is unknown or inactive, the team unknown, or the
    /// user holds no role in it.</returns>
    public async ValueTask<VezaCaller?> ForUserAsync(string userId, string teamId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(teamId);
        if (await _directory.FindUserAsync(userId, cancellationToken).ConfigureAwait(false) is not { IsActive: true }
            || await _directory.FindTeamAsync(teamId, cancellationToken).ConfigureAwait(false) is not { } team)
        {
            return null;
        }

        var roles = await _directory.GetRolesAsync(userId, teamId, cancellationToken).ConfigureAwait(false);
        return roles.Count == 0 ? null : Interactive(userId, team, roles);
    }

    private VezaCaller Interactive(string userId, VezaTeam team, IReadOnlyList<string> roles)
    {
        var isAdmin = roles.Contains(_adminRole, StringComparer.Ordinal);
        return VezaCaller.Create(VezaCallerKind.InteractiveSignIn, VezaPrincipalResolver.UserSubject(userId), userId, team.Id, [.. roles], isAdmin,
            isAdmin && team.IsRoot, credentialId: null, InteractiveCredentialKind);
    }

    private async ValueTask<VezaCaller?> FromVezaPrincipalAsync(ClaimsPrincipal principal, string method, CancellationToken cancellationToken)
    {
        VezaCallerKind? kind = method switch
        {
            VezaAuthenticationMethods.PersonalApiKey => VezaCallerKind.PersonalApiKey,
            VezaAuthenticationMethods.TeamApiKey => VezaCallerKind.TeamApiKey,
            VezaAuthenticationMethods.OAuth2Client => VezaCallerKind.OAuth2Client,
            VezaAuthenticationMethods.OAuth2App => VezaCallerKind.OAuth2App,
            _ => null,
        };
        var subject = principal.FindFirst(VezaClaimTypes.Subject)?.Value;
        var teamId = principal.FindFirst(VezaClaimTypes.TeamId)?.Value;
        if (kind is not { } known || string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(teamId))
        {
            return null;
        }

        var userId = principal.FindFirst(VezaClaimTypes.PrincipalType)?.Value == VezaPrincipalTypes.User
            ? principal.FindFirst(VezaClaimTypes.UserId)?.Value
            : null;
        if ((known is VezaCallerKind.PersonalApiKey or VezaCallerKind.OAuth2App) && string.IsNullOrEmpty(userId))
        {
            return null;
        }

        string[] roles = [.. principal.FindAll(VezaClaimTypes.Role).Select(c => c.Value).Distinct(StringComparer.Ordinal)];
        // Only a person's own credential carries authority; the root team is looked up only when it can matter.
        var isAdmin = known == VezaCallerKind.PersonalApiKey && roles.Contains(_adminRole, StringComparer.Ordinal);
        var isRoot = isAdmin && (await _directory.FindTeamAsync(teamId, cancellationToken).ConfigureAwait(false))?.IsRoot == true;
        return VezaCaller.Create(known, subject, userId, teamId, roles, isAdmin, isRoot, principal.FindFirst(VezaClaimTypes.CredentialId)?.Value, method);
    }
}
