namespace Veza.Authentication.Stores;

/// <summary>
/// The host's users, teams and role assignments. The library only reads them; it never owns users.
/// It is asked on every request made with a personal key, so answer from memory or a cache.
/// </summary>
public interface IVezaUserDirectory
{
    /// <summary>Finds a user.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The user, or <see langword="null"/> when unknown (removed from the platform).</returns>
    ValueTask<VezaUser?> FindUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Finds a team.</summary>
    /// <param name="teamId">The team id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The team, or <see langword="null"/> when unknown.</returns>
    ValueTask<VezaTeam?> FindTeamAsync(string teamId, CancellationToken cancellationToken);

    /// <summary>The roles a user holds in a team right now.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="teamId">The team id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The role names; empty when the user is not a member of the team.</returns>
    ValueTask<IReadOnlyList<string>> GetRolesAsync(string userId, string teamId, CancellationToken cancellationToken);

    /// <summary>The teams in which a user holds at least one role: for the consent page's choice of team when a user
    /// authorizes an OAuth2 app, and for the authority team of a user signed in with the host's cookie
    /// (<c>VezaCallerFactory</c>). Never asked on the bearer path.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The team ids; empty when the user is a member of no team.</returns>
    ValueTask<IReadOnlyList<string>> GetTeamsAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>
/// Optional, beside <see cref="IVezaUserDirectory"/>: every team, for the choices of a team that pages offer an
/// administrator of the root team (the administration pages' Add forms). A directory that does not implement it still
/// works: those pages then offer the teams the administrator belongs to.
/// </summary>
public interface IVezaTeamList
{
    /// <summary>Every team the host has, in the order to show them.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The teams.</returns>
    ValueTask<IReadOnlyList<VezaTeam>> ListTeamsAsync(CancellationToken cancellationToken);
}

/// <summary>A user as the host's directory describes them.</summary>
/// <param name="Id">The user id.</param>
/// <param name="DisplayName">A name to show.</param>
/// <param name="IsActive">Whether the user may authenticate; a deactivated user's personal keys stop working at once.</param>
public sealed record VezaUser(string Id, string DisplayName, bool IsActive);

/// <summary>A team as the host's directory describes it.</summary>
/// <param name="Id">The team id.</param>
/// <param name="Name">The team name.</param>
/// <param name="IsRoot">Whether this is the root team, whose administrators manage everything.</param>
public sealed record VezaTeam(string Id, string Name, bool IsRoot);
