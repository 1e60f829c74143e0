using Veza.Authentication.Stores;

namespace Veza.Authentication.Testing;

/// <summary>What a directory under test must hold for <see cref="VezaUserDirectoryContract"/>: these teams and users,
/// and these roles, and nothing else.</summary>
/// <param name="Teams">The teams.</param>
/// <param name="Users">The users, active or not.</param>
/// <param name="Memberships">Each user's roles in a team.</param>
public sealed record VezaDirectorySeed(IReadOnlyList<VezaTeam> Teams, IReadOnlyList<VezaUser> Users, IReadOnlyList<VezaMembership> Memberships);
