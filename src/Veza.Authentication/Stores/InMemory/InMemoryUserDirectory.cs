using System.Collections.Concurrent;

namespace Veza.Authentication.Stores.InMemory;

/// <summary>
/// An <see cref="IVezaUserDirectory"/> held in memory, for development, tests and samples. A real host answers
/// from its own user store. Removing a member or a user here only changes the directory: call
/// <see cref="ApiKeys.ApiKeyService.UserRemovedFromTeamAsync"/> or <see cref="ApiKeys.ApiKeyService.UserRemovedAsync"/>
/// so that their personal keys are deleted too.
/// </summary>
public sealed class InMemoryUserDirectory : IVezaUserDirectory, IVezaTeamList
{
    private readonly ConcurrentDictionary<string, VezaUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VezaTeam> _teams = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string User, string Team), string[]> _roles = new();

    /// <summary>Adds or replaces a team.</summary>
    /// <param name="team">The team.</param>
    public void AddTeam(VezaTeam team)
    {
        ArgumentNullException.ThrowIfNull(team);
        _teams[team.Id] = team;
    }

    /// <summary>Removes a team and every membership in it.</summary>
    /// <param name="teamId">The team id.</param>
    public void RemoveTeam(string teamId)
    {
        _teams.TryRemove(teamId, out _);
        foreach (var key in _roles.Keys.Where(k => k.Team == teamId))
        {
            _roles.TryRemove(key, out _);
        }
    }

    /// <summary>Adds or replaces a user.</summary>
    /// <param name="user">The user.</param>
    public void AddUser(VezaUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        _users[user.Id] = user;
    }

    /// <summary>Sets a user's roles in a team, making them a member; an empty list removes the membership.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="teamId">The team id.</param>
    /// <param name="roles">The roles.</param>
    public void SetRoles(string userId, string teamId, params IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(teamId);
        ArgumentNullException.ThrowIfNull(roles);
        var list = roles.Distinct(StringComparer.Ordinal).ToArray();
        if (list.Length == 0)
        {
            _roles.TryRemove((userId, teamId), out _);
        }
        else
        {
            _roles[(userId, teamId)] = list;
        }
    }

    /// <summary>Marks a user active or deactivated.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="isActive">Whether the user may authenticate.</param>
    public void SetActive(string userId, bool isActive)
    {
        if (_users.TryGetValue(userId, out var user))
        {
            _users[userId] = user with { IsActive = isActive };
        }
    }

    /// <summary>Removes a user and all their memberships.</summary>
    /// <param name="userId">The user id.</param>
    public void RemoveUser(string userId)
    {
        _users.TryRemove(userId, out _);
        foreach (var key in _roles.Keys.Where(k => k.User == userId))
        {
            _roles.TryRemove(key, out _);
        }
    }

    /// <inheritdoc />
    public ValueTask<VezaUser?> FindUserAsync(string userId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_users.GetValueOrDefault(userId));

    /// <inheritdoc />
    public ValueTask<VezaTeam?> FindTeamAsync(string teamId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_teams.GetValueOrDefault(teamId));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> GetRolesAsync(string userId, string teamId, CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<string>>(_roles.TryGetValue((userId, teamId), out var roles) ? roles : []);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> GetTeamsAsync(string userId, CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<string>>([.. _roles.Keys.Where(k => k.User == userId).Select(k => k.Team).Order(StringComparer.Ordinal)]);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<VezaTeam>> ListTeamsAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<VezaTeam>>([.. _teams.Values.OrderByDescending(t => t.IsRoot).ThenBy(t => t.Name, StringComparer.OrdinalIgnoreCase)]);
}
