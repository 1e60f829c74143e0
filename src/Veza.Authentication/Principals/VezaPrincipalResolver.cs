using System.Collections.Frozen;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Principals;

/// <summary>
/// What a verified credential says about its caller, before the directory is asked who that caller is now.
/// A credential acts either for a user (<see cref="UserId"/> set: roles are read from the directory at request
/// time) or as a team's service account (<see cref="Role"/> set: the role the credential was given).
/// </summary>
internal readonly record struct VezaPrincipalDescriptor
{
    /// <summary>The <c>sub</c> claim: <c>user:…</c>, <c>team:…</c> or <c>client:…</c>.</summary>
    public required string Subject { get; init; }

    /// <summary>One of <see cref="VezaPrincipalTypes"/>.</summary>
    public required string PrincipalType { get; init; }

    /// <summary>One of <see cref="VezaAuthenticationMethods"/>.</summary>
    public required string Method { get; init; }

    /// <summary>The key id, client id or token id the caller presented.</summary>
    public required string CredentialId { get; init; }

    /// <summary>The one team the credential acts in.</summary>
    public required string TeamId { get; init; }

    /// <summary>The user the credential acts for; roles come from the directory.</summary>
    public string? UserId { get; init; }

    /// <summary>The role of a service account or client; the name it goes by is <see cref="Name"/>.</summary>
    public string? Role { get; init; }

    /// <summary>The display name of a service account or client (a user's comes from the directory).</summary>
    public string? Name { get; init; }

    /// <summary>The OAuth2 client the credential was issued to, if any.</summary>
    public string? ClientId { get; init; }

    /// <summary>Granted scopes: when set, permissions are narrowed to them.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }
}

/// <summary>
/// Turns a <see cref="VezaPrincipalDescriptor"/> into the one principal shape every Veza credential produces,
/// asking the host's directory (with the store timeout) whether the user is active and which roles they hold in
/// the team now, or whether the team still exists. Answers <see langword="null"/> when the caller is gone.
/// </summary>
internal sealed class VezaPrincipalResolver
{
    private const string Issuer = "Veza";
    private readonly FrozenDictionary<string, string[]> _permissionsByRole;
    private readonly IVezaUserDirectory _directory;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public VezaPrincipalResolver(IOptions<VezaAuthenticationOptions> options, IVezaUserDirectory directory, TimeProvider time)
    {
        _permissionsByRole = options.Value.Roles.ToFrozenDictionary(
            r => r.Key, r => r.Value.Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        _directory = directory;
        _time = time;
        _timeout = options.Value.Stores.Timeout;
    }

    public static string UserSubject(string userId) => "user:" + userId;

    public static string TeamSubject(string teamId) => "team:" + teamId;

    /// <summary>The permissions a role grants, empty for an unknown role.</summary>
    public IReadOnlyList<string> PermissionsOf(string role)
        => _permissionsByRole.TryGetValue(role, out var permissions) ? permissions : [];

    /// <summary>The principal, or <see langword="null"/> when the user is inactive, gone or holds no role in the
    /// team, or the team is gone. Directory failures and timeouts are thrown to the caller (fail closed).</summary>
    public async ValueTask<ClaimsPrincipal?> ResolveAsync(VezaPrincipalDescriptor descriptor, string scheme, CancellationToken cancellationToken)
    {
        if (descriptor.UserId is { } userId)
        {
            var user = await WithTimeout(_directory.FindUserAsync(userId, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (user is not { IsActive: true })
            {
                return null;
            }

            // Roles are read at request time, so a credential never carries more than its user holds now.
            var roles = await WithTimeout(_directory.GetRolesAsync(userId, descriptor.TeamId, cancellationToken), cancellationToken).ConfigureAwait(false);
            return roles.Count == 0 ? null : Create(scheme, descriptor, user.DisplayName, roles);
        }

        var team = await WithTimeout(_directory.FindTeamAsync(descriptor.TeamId, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (team is null || descriptor.Role is null)
        {
            return null;
        }

        return Create(scheme, descriptor, descriptor.Name ?? descriptor.CredentialId, [descriptor.Role]);
    }

    /// <summary>The teams an active user holds a role in, for the consent page; empty for an inactive or unknown
    /// user. Directory failures and timeouts are thrown.</summary>
    public async ValueTask<IReadOnlyList<VezaTeam>> TeamsOfAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await WithTimeout(_directory.FindUserAsync(userId, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (user is not { IsActive: true })
        {
            return [];
        }

        var teams = new List<VezaTeam>();
        foreach (var teamId in await WithTimeout(_directory.GetTeamsAsync(userId, cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            if (await WithTimeout(_directory.FindTeamAsync(teamId, cancellationToken), cancellationToken).ConfigureAwait(false) is { } team
                && (await WithTimeout(_directory.GetRolesAsync(userId, teamId, cancellationToken), cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                teams.Add(team);
            }
        }

        return teams;
    }

    /// <summary>Whether the user is active and holds a role in the team now. Directory failures and timeouts are thrown.</summary>
    public async ValueTask<bool> IsMemberAsync(string userId, string teamId, CancellationToken cancellationToken)
    {
        var user = await WithTimeout(_directory.FindUserAsync(userId, cancellationToken), cancellationToken).ConfigureAwait(false);
        return user is { IsActive: true }
            && (await WithTimeout(_directory.GetRolesAsync(userId, teamId, cancellationToken), cancellationToken).ConfigureAwait(false)).Count > 0;
    }

    /// <summary>Whether the directory knows the team. Directory failures and timeouts are thrown.</summary>
    public async ValueTask<bool> TeamExistsAsync(string teamId, CancellationToken cancellationToken)
        => await WithTimeout(_directory.FindTeamAsync(teamId, cancellationToken), cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The user's display name, or <see langword="null"/> when unknown.</summary>
    public async ValueTask<string?> DisplayNameOfAsync(string userId, CancellationToken cancellationToken)
        => (await WithTimeout(_directory.FindUserAsync(userId, cancellationToken), cancellationToken).ConfigureAwait(false))?.DisplayName;

    // Directory answers are usually synchronous (memory or cache): only a pending one pays for a timeout.
    private ValueTask<T> WithTimeout<T>(ValueTask<T> pending, CancellationToken cancellationToken)
        => pending.IsCompleted ? pending : new ValueTask<T>(pending.AsTask().WaitAsync(_timeout, _time, cancellationToken));

    private ClaimsPrincipal Create(string scheme, in VezaPrincipalDescriptor d, string name, IReadOnlyList<string> roles)
    {
        // Claims are created with the identity as their subject, so ClaimsIdentity does not copy each one.
        var identity = new ClaimsIdentity(scheme, VezaClaimTypes.Name, VezaClaimTypes.Role);
        Add(identity, VezaClaimTypes.Subject, d.Subject);
        Add(identity, VezaClaimTypes.Name, name);
        Add(identity, VezaClaimTypes.PrincipalType, d.PrincipalType);
        Add(identity, VezaClaimTypes.TeamId, d.TeamId);
        Add(identity, VezaClaimTypes.AuthenticationMethod, d.Method);
        Add(identity, VezaClaimTypes.CredentialId, d.CredentialId);
        if (d.UserId is not null)
        {
            Add(identity, VezaClaimTypes.UserId, d.UserId);
        }

        if (d.ClientId is not null)
        {
            Add(identity, VezaClaimTypes.ClientId, d.ClientId);
        }

        var scopes = d.Scopes;
        if (scopes is not null)
        {
            for (var i = 0; i < scopes.Count; i++)
            {
                Add(identity, VezaClaimTypes.Scope, scopes[i]);
            }
        }

        HashSet<string>? seen = null;
        for (var i = 0; i < roles.Count; i++)
        {
            var permissions = _permissionsByRole.GetValueOrDefault(roles[i]);
            // A principal narrowed by scopes holds a role only when its scopes cover everything the role allows, so a
            // host's RequireRole or IsInRole never treats a narrowed token as the full role.
            if (scopes is null || (permissions is { Length: > 0 } && CoversAll(scopes, permissions)))
            {
                Add(identity, VezaClaimTypes.Role, roles[i]);
            }

            if (permissions is null)
            {
                continue;
            }

            foreach (var permission in permissions)
            {
                // A scoped credential never carries a permission outside its scopes.
                if (scopes is not null && !Contains(scopes, permission))
                {
                    continue;
                }

                if (roles.Count == 1 || (seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(permission))
                {
                    Add(identity, VezaClaimTypes.Permission, permission);
                }
            }
        }

        return new ClaimsPrincipal(identity);
    }

    private static bool CoversAll(IReadOnlyList<string> scopes, string[] permissions)
    {
        foreach (var permission in permissions)
        {
            if (!Contains(scopes, permission))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void Add(ClaimsIdentity identity, string type, string value)
        => identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, Issuer, Issuer, identity));
}
