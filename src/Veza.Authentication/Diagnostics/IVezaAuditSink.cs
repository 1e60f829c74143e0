using Microsoft.Extensions.Logging;

namespace Veza.Authentication.Diagnostics;

/// <summary>
/// Receives audit events: every authenticated API call (<see cref="VezaAuditEvent.ApiCallAction"/>, raised when
/// the response has been sent) and every credential management action (create, rename, revoke, reinstate, delete).
/// The default writes management actions to the log at Information and API calls at Debug; a host replaces it to
/// keep an audit trail. Events never carry a secret. <see cref="WriteAsync"/> runs once per authenticated request:
/// keep it cheap (hand events to a queue rather than write them to a database inline).
/// </summary>
public interface IVezaAuditSink
{
    /// <summary>Records one event. Must not throw for ordinary failures: log them instead.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the event is recorded.</returns>
    ValueTask WriteAsync(VezaAuditEvent auditEvent, CancellationToken cancellationToken);
}

/// <summary>One audit record.</summary>
public sealed record VezaAuditEvent
{
    /// <summary>The <see cref="Action"/> of an authenticated API call (<see cref="VezaAuditActions.ApiCall"/>).</summary>
    public const string ApiCallAction = VezaAuditActions.ApiCall;

    /// <summary>How the <see cref="Action"/> of a refused OAuth2 request ends (<c>oauth2.token.refuse</c>, ...).</summary>
    public const string RefusalSuffix = ".refuse";

    /// <summary>What was done: one of <see cref="VezaAuditActions"/>, for example <c>api_key.create</c>.</summary>
    public required string Action { get; init; }

    /// <summary><c>success</c>, or the error reason.</summary>
    public required string Outcome { get; init; }

    /// <summary>The subject of the caller, <c>system</c> for changes the host made directly.</summary>
    public required string Actor { get; init; }

    /// <summary>The credential the caller used, when known.</summary>
    public string? ActorCredentialId { get; init; }

    /// <summary>How the caller authenticated (<c>personal_api_key</c>, <c>team_api_key</c>), when known.</summary>
    public string? ActorCredentialKind { get; init; }

    /// <summary>What the action was about, for example <c>api_key</c>.</summary>
    public required string TargetKind { get; init; }

    /// <summary>The id of the target, when known.</summary>
    public string? TargetId { get; init; }

    /// <summary>The team the target belongs to, when known.</summary>
    public string? TeamId { get; init; }

    /// <summary>The caller's IP address, when the action came through HTTP.</summary>
    public string? ClientIp { get; init; }

    /// <summary>The caller's user agent, when the action came through HTTP.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The HTTP method of the request, when the action came through HTTP.</summary>
    public string? Method { get; init; }

    /// <summary>The path of the request (without its query string), when the action came through HTTP.</summary>
    public string? Path { get; init; }

    /// <summary>The response's status code, for <see cref="ApiCallAction"/>.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The request id (<c>HttpContext.TraceIdentifier</c>), as in the <c>request_id</c> of error bodies.</summary>
    public string? RequestId { get; init; }

    /// <summary>When it happened (UTC); for an event that stands for several, when they were counted.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// How many occurrences the event stands for: 1, except for refused OAuth2 requests (actions ending in
    /// <c>.refuse</c>), which are aggregated: the first of each kind from each address in a minute is raised on its
    /// own, and the rest of that minute's as one event with their number here.
    /// </summary>
    public int Count { get; init; } = 1;
}

/// <summary>
/// The default <see cref="IVezaAuditSink"/>: writes management events to the log at Information level, and API
/// calls and refused OAuth2 requests at Debug level (so that a busy service, or a flood of bad requests, does not log
/// one line per request unless asked to).
/// </summary>
public sealed class LoggingAuditSink : IVezaAuditSink
{
    private readonly ILogger<LoggingAuditSink> _logger;

    /// <summary>Creates the sink.</summary>
    /// <param name="logger">Where events go.</param>
    public LoggingAuditSink(ILogger<LoggingAuditSink> logger) => _logger = logger;

    /// <inheritdoc />
    public ValueTask WriteAsync(VezaAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (auditEvent.Action.EndsWith(VezaAuditEvent.RefusalSuffix, StringComparison.Ordinal))
        {
            // Refused requests come in floods: Debug here, and counted in one Warning summary a minute.
            Log.RefusalAudit(_logger, auditEvent.Action, auditEvent.Outcome, auditEvent.Count, auditEvent.TargetId, auditEvent.ClientIp);
            return ValueTask.CompletedTask;
        }

        if (auditEvent.Action == VezaAuditEvent.ApiCallAction)
        {
            Log.ApiCall(_logger, auditEvent.Method, auditEvent.Path, auditEvent.StatusCode, auditEvent.Actor, auditEvent.ActorCredentialKind,
                auditEvent.ActorCredentialId, auditEvent.ClientIp);
            return ValueTask.CompletedTask;
        }

        Log.Audit(_logger, auditEvent.Action, auditEvent.Outcome, auditEvent.TargetKind, auditEvent.TargetId, auditEvent.Actor);
        return ValueTask.CompletedTask;
    }
}
