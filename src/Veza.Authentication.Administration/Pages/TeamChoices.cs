using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>Team names for the lists, read from the directory once per team and request.</summary>
internal sealed class TeamNames(AdminRequest request)
{
    private readonly Dictionary<string, string> _names = request.UserTeams.ToDictionary(t => t.Id, t => t.Name, StringComparer.Ordinal);

    public async ValueTask<string> NameAsync(string teamId)
    {
        if (!_names.TryGetValue(teamId, out var name))
        {
            name = (await request.Service<IVezaUserDirectory>().FindTeamAsync(teamId, request.Aborted).ConfigureAwait(false))?.Name ?? teamId;
            _names[teamId] = name;
        }

        return name;
    }
}

/// <summary>The teams an Add form offers. The services decide; this only avoids offering what they would refuse.</summary>
internal static class TeamChoices
{
    /// <summary>
    /// An administrator of the root team: every team when <paramref name="rootMayPickAny"/> (team keys, clients) and
    /// the directory can list them (<see cref="IVezaTeamList"/>), else the teams they belong to. Anyone else: the team
    /// they act in.
    /// </summary>
    public static async ValueTask<IReadOnlyList<VezaTeam>> ForAsync(AdminRequest request, bool rootMayPickAny)
    {
        if (!request.Caller.IsRootAdministrator)
        {
            return [.. request.UserTeams.Where(t => t.Id == request.Caller.TeamId)];
        }

        if (rootMayPickAny && request.Service<IVezaUserDirectory>() is IVezaTeamList list)
        {
            var all = await list.ListTeamsAsync(request.Aborted).ConfigureAwait(false);
            if (all.Count > 0)
            {
                return all;
            }
        }

        return request.UserTeams;
    }
}
