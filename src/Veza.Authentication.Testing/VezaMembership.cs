namespace Veza.Authentication.Testing;

/// <summary>A user's roles in one team, in a <see cref="VezaDirectorySeed"/>.</summary>
/// <param name="UserId">The user.</param>
/// <param name="TeamId">The team.</param>
/// <param name="Roles">The roles (at least one).</param>
public sealed record VezaMembership(string UserId, string TeamId, IReadOnlyList<string> Roles);
