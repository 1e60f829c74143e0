using Microsoft.AspNetCore.Http;
using Veza.Authentication.Diagnostics;

namespace Veza.Authentication.Principals;

/// <summary>
/// Who asks a service for something, and with which authority: the services (<c>ApiKeyService</c>,
/// <c>OAuthClientService</c>, <c>OAuthAppService</c>, <c>SignInSettingsService</c>) take one on every management call
/// and decide from it alone what it may do, whether the call came over the management API, from a host's page or from
/// the host's own code.
/// </summary>
/// <remarks>
/// <para>The authority of a caller is one team (<see cref="TeamId"/>) and the roles it holds there
/// (<see cref="Roles"/>), never its roles in other teams: a person who administers the root team but uses a key of
/// a team where they are a viewer acts as a viewer of that team.</para>
/// <para>Only <see cref="Host"/> and a person with their own credential (<see cref="VezaCallerKind.InteractiveSignIn"/>,
/// <see cref="VezaCallerKind.PersonalApiKey"/>) manage anything; team keys, OAuth2 clients and OAuth2 apps acting
/// for a user are refused everything (see <see cref="MayManage"/>).</para>
/// <para>Callers come from <see cref="VezaCallerFactory"/> (from a principal, or for a host's user in a chosen team)
/// or are <see cref="Host"/>; they cannot be made up otherwise.</para>
/// </remarks>
public sealed class VezaCaller
{
    private const string HostSubject = "system";

    private VezaCaller(VezaCallerKind kind, string subject)
    {
        Kind = kind;
        Subject = subject;
    }

    internal static VezaCaller Create(VezaCallerKind kind, string subject, string? userId, string teamId, IReadOnlyList<string> roles,
        bool isAdministrator, bool isRootAdministrator, string? credentialId, string credentialKind)
        => new(kind, subject)
        {
            UserId = userId,
            TeamId = teamId,
            Roles = roles,
            IsAdministrator = isAdministrator,
            IsRootAdministrator = isRootAdministrator,
            CredentialId = credentialId,
            CredentialKind = credentialKind,
        };

    /// <summary>The host's own code, recorded in the audit trail as <c>system</c>. It may do everything the services
    /// offer (seeding keys, clients and apps in any team, revoking with the highest authority), so only hand it to code
    /// that acts on the host's own behalf, never to code that acts for a request.</summary>
    public static VezaCaller Host { get; } = new(VezaCallerKind.Host, HostSubject);

    /// <summary>Whether this caller may manage anything at all: the host, and a person with their own credential (an
    /// interactive sign-in or a personal key). What exactly they may manage then depends on their team and roles.</summary>
    public bool MayManage => Kind is VezaCallerKind.Host or VezaCallerKind.InteractiveSignIn or VezaCallerKind.PersonalApiKey;

    /// <summary>How the caller came to call.</summary>
    public VezaCallerKind Kind { get; }

    /// <summary>The caller's subject: <c>user:&lt;id&gt;</c>, <c>team:&lt;id&gt;</c>, <c>client:&lt;id&gt;</c>, or the
    /// host's (<c>system</c> unless given to <see cref="ForHost"/>). It names the caller in the audit trail and as who
    /// revoked a key or a client.</summary>
    public string Subject { get; }

    /// <summary>The person the caller acts for (an interactive sign-in, a personal key, an app's token for a user);
    /// <see langword="null"/> for the host, team keys and OAuth2 clients.</summary>
    public string? UserId { get; private init; }

    /// <summary>The team the caller's authority comes from; <see langword="null"/> for the host.</summary>
    public string? TeamId { get; private init; }

    /// <summary>The roles the caller holds in <see cref="TeamId"/>, as they were when the caller was made.</summary>
    public IReadOnlyList<string> Roles { get; private init; } = [];

    /// <summary>Whether the caller is a person with their own credential who holds the administrator role
    /// (<c>VezaAuthenticationOptions.AdminRole</c>) in <see cref="TeamId"/>.</summary>
    public bool IsAdministrator { get; private init; }

    /// <summary>Whether <see cref="IsAdministrator"/> holds and <see cref="TeamId"/> is the root team: such a caller
    /// manages every team's credentials, the OAuth2 apps and the sign-in settings.</summary>
    public bool IsRootAdministrator { get; private init; }

    /// <summary>The credential the caller presented (API key id, OAuth2 client id); <see langword="null"/> for an
    /// interactive sign-in and for the host.</summary>
    public string? CredentialId { get; private init; }

    internal bool IsHost => Kind == VezaCallerKind.Host;

    /// <summary>A person acting with their own credential: the only callers, besides the host, bound by the rules.</summary>
    internal bool IsPerson => Kind is VezaCallerKind.InteractiveSignIn or VezaCallerKind.PersonalApiKey;

    // How the caller authenticated, and the request it came with, for the audit trail.
    internal string? CredentialKind { get; private init; }

    internal string? ClientIp { get; private init; }

    internal string? UserAgent { get; private init; }

    internal string? Method { get; private init; }

    internal string? Path { get; private init; }

    internal string? RequestId { get; private init; }

    /// <summary>The host's own code under a name of its choosing (for example <c>admin-cli</c>), which the audit trail
    /// and revocations record instead of <c>system</c>. It has the authority of <see cref="Host"/>.</summary>
    /// <param name="subject">The name to record.</param>
    /// <returns>The caller.</returns>
    public static VezaCaller ForHost(string subject)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        return new VezaCaller(VezaCallerKind.Host, subject);
    }

    /// <summary>This caller, with the request it came with (client address, user agent, method, path and request id)
    /// so that the audit trail records them.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A copy of this caller with the request's details.</returns>
    public VezaCaller WithRequest(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new VezaCaller(Kind, Subject)
        {
            UserId = UserId,
            TeamId = TeamId,
            Roles = Roles,
            IsAdministrator = IsAdministrator,
            IsRootAdministrator = IsRootAdministrator,
            CredentialId = CredentialId,
            CredentialKind = CredentialKind,
            ClientIp = context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = context.Request.Headers.UserAgent.ToString(),
            Method = context.Request.Method,
            Path = context.Request.Path.Value,
            RequestId = context.TraceIdentifier,
        };
    }

    /// <summary>The caller for logs and test messages: kind, subject, team and roles.</summary>
    /// <returns>A short description; never a secret.</returns>
    public override string ToString()
        => IsHost ? $"{Kind} {Subject}" : $"{Kind} {Subject} in {TeamId} [{string.Join(", ", Roles)}]";

    /// <summary>The caller as the audit trail records it, with the request it came with if any.</summary>
    internal VezaAuditActor AuditActor() => new()
    {
        Subject = Subject,
        CredentialId = CredentialId,
        CredentialKind = CredentialKind,
        ClientIp = ClientIp,
        UserAgent = UserAgent,
        Method = Method,
        Path = Path,
        RequestId = RequestId,
    };
}
