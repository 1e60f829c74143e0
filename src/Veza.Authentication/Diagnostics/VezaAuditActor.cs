using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Diagnostics;

/// <summary>
/// Who asked for a change, as services record it in the audit trail: the caller's subject and credential, and, for a
/// change that came through HTTP, the request's address, user agent and id. Services derive it from the caller they
/// are given (<c>VezaCaller.AuditActor</c>).
/// </summary>
internal sealed record VezaAuditActor
{
    /// <summary>The caller's subject (<c>user:…</c>, <c>team:…</c>, <c>client:…</c>), the host's, or <c>anonymous</c>.</summary>
    public required string Subject { get; init; }

    /// <summary>The credential the caller used.</summary>
    public string? CredentialId { get; init; }

    /// <summary>How the caller authenticated.</summary>
    public string? CredentialKind { get; init; }

    /// <summary>The caller's IP address.</summary>
    public string? ClientIp { get; init; }

    /// <summary>The caller's user agent.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The request's method.</summary>
    public string? Method { get; init; }

    /// <summary>The request's path.</summary>
    public string? Path { get; init; }

    /// <summary>The request id.</summary>
    public string? RequestId { get; init; }

    /// <summary>The actor of a request: <paramref name="subject"/> and the request's details.</summary>
    /// <param name="context">The request.</param>
    /// <param name="subject">The caller's subject.</param>
    /// <param name="credentialId">The caller's credential.</param>
    /// <param name="credentialKind">How the caller authenticated.</param>
    /// <returns>The actor.</returns>
    public static VezaAuditActor FromRequest(HttpContext context, string subject, string? credentialId, string? credentialKind)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new VezaAuditActor
        {
            Subject = subject,
            CredentialId = credentialId,
            CredentialKind = credentialKind,
            ClientIp = context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = context.Request.Headers.UserAgent.ToString(),
            Method = context.Request.Method,
            Path = context.Request.Path.Value,
            RequestId = context.TraceIdentifier,
        };
    }

    public VezaAuditEvent Event(string action, string outcome, string targetKind, string? targetId, string? teamId, DateTimeOffset at) => new()
    {
        Action = action,
        Outcome = outcome,
        Actor = Subject,
        ActorCredentialId = CredentialId,
        ActorCredentialKind = CredentialKind,
        TargetKind = targetKind,
        TargetId = targetId,
        TeamId = teamId,
        ClientIp = ClientIp,
        UserAgent = UserAgent,
        Method = Method,
        Path = Path,
        RequestId = RequestId,
        Timestamp = at,
    };
}
