using Microsoft.Extensions.Logging;

namespace Veza.Authentication.Diagnostics;

/// <summary>
/// Receives audit events for credential management (create, rename, revoke, reinstate, delete). The default
/// writes them to the log; a host replaces it to keep an audit trail. Events never carry a secret.
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
    /// <summary>What was done, for example <c>api_key.create</c>.</summary>
    public required string Action { get; init; }

    /// <summary><c>success</c>, or the error reason.</summary>
    public required string Outcome { get; init; }

    /// <summary>The subject of the caller, <c>system</c> for changes the host made directly.</summary>
    public required string Actor { get; init; }

    /// <summary>The credential the caller used, when known.</summary>
    public string? ActorCredentialId { get; init; }

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

    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>The default <see cref="IVezaAuditSink"/>: writes each event to the log at Information level.</summary>
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
        Log.Audit(_logger, auditEvent.Action, auditEvent.Outcome, auditEvent.TargetKind, auditEvent.TargetId, auditEvent.Actor);
        return ValueTask.CompletedTask;
    }
}
