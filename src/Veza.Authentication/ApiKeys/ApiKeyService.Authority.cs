using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.ApiKeys;

/// <summary>Who may do what to which key: the rules every operation of the service applies.</summary>
public sealed partial class ApiKeyService
{
    /// <summary>
    /// The most authority a caller has over a key: the host's over every key; a root-team administrator's over every
    /// team's keys; a team administrator's over the keys of their team; an owner's over their own personal keys of
    /// the caller's team; none otherwise (nor for callers that manage nothing). Only someone with at least the
    /// authority of a revoke may reinstate the key.
    /// </summary>
    internal static ApiKeyAuthority AuthorityOver(VezaCaller caller, ApiKeyRecord key)
    {
        if (caller.IsHost)
        {
            return ApiKeyAuthority.Host;
        }

        if (!caller.IsPerson)
        {
            return ApiKeyAuthority.None;
        }

        if (caller.IsRootAdministrator)
        {
            return ApiKeyAuthority.RootAdmin;
        }

        if (key.TeamId != caller.TeamId)
        {
            return ApiKeyAuthority.None;
        }

        if (caller.IsAdministrator)
        {
            return ApiKeyAuthority.TeamAdmin;
        }

        return key.Kind == ApiKeyKind.Personal && key.OwnerUserId == caller.UserId ? ApiKeyAuthority.Owner : ApiKeyAuthority.None;
    }

    // The query narrowed to what the caller may see, or why the caller asked for more than that.
    private static (ApiKeyQuery? Query, string? Refusal) ScopeList(ApiKeyQuery query, VezaCaller caller)
    {
        if (!caller.MayManage)
        {
            return (null, NotManagerMessage);
        }

        if (caller.IsHost || caller.IsRootAdministrator)
        {
            return (query, null);
        }

        if (query.TeamId is not null && query.TeamId != caller.TeamId)
        {
            return (null, "You may list only the keys of your own team.");
        }

        query = query with { TeamId = caller.TeamId };
        if (caller.IsAdministrator)
        {
            return (query, null);
        }

        if (query.Kind == ApiKeyKind.Team)
        {
            return (null, "Only an administrator of the team may list its team keys.");
        }

        if (query.OwnerUserId is not null && query.OwnerUserId != caller.UserId)
        {
            return (null, "You may list only your own personal keys.");
        }

        return (query with { Kind = ApiKeyKind.Personal, OwnerUserId = caller.UserId }, null);
    }

    // Whether a person may create this key: team keys by an administrator of the team or of the root team, in a team
    // that exists; personal keys for themselves, in their caller's team or (root-team administrators) any team they
    // belong to. The host may create any key.
    private async ValueTask<ApiKeyChange?> RefuseCreateAsync(ApiKeyKind kind, string teamId, string? owner, VezaCaller caller,
        CancellationToken cancellationToken)
    {
        if (caller.IsHost)
        {
            return null;
        }

        if (kind == ApiKeyKind.Team)
        {
            if (!caller.IsRootAdministrator && !(caller.IsAdministrator && teamId == caller.TeamId))
            {
                return Refused("Only an administrator of the team, or of the root team, may create its team keys.");
            }

            return await _directory.TeamExistsAsync(teamId, cancellationToken).ConfigureAwait(false)
                ? null
                : new ApiKeyChange(ApiKeyResult.UnknownTeam, Error: "team_id does not name a team.");
        }

        if (owner != caller.UserId)
        {
            return Refused("You can create personal keys only for yourself.");
        }

        // A credential acts in its own team: only a root-team administrator's reaches into other teams.
        if (teamId != caller.TeamId && !caller.IsRootAdministrator)
        {
            return Refused("This credential can create personal keys only in its own team.");
        }

        return await _directory.IsMemberAsync(owner!, teamId, cancellationToken).ConfigureAwait(false)
            ? null
            : Refused("A personal key can be created only for a team you are a member of.");
    }
}
