using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Veza.Authentication.Diagnostics;

/// <summary>
/// Refused OAuth2 requests (token, revocation, introspection, authorization) reach the audit sink aggregated, never one
/// event per request of a flood: the first refusal of each kind (action and outcome) from each client address in a
/// minute is raised at once, and the rest of that minute's are raised as one event whose <see cref="VezaAuditEvent.Count"/>
/// says how many it stands for. At most <see cref="MaxSources"/> kinds and addresses are told apart in a minute; past
/// that, refusals are counted per kind without their address. Each refusal is also logged at Debug and counted in the
/// Warning summary of <see cref="AuthenticationFailureLog"/>.
/// </summary>
internal sealed class RefusalAuditor : IDisposable
{
    public const int MaxSources = 1000;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly IVezaAuditSink _sink;
    private readonly AuthenticationFailureLog _failures;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private ConcurrentDictionary<(string Action, string Outcome, string? Source), Tally> _tallies = new();

    public RefusalAuditor(IVezaAuditSink sink, AuthenticationFailureLog failures, TimeProvider time, ILogger<RefusalAuditor> logger)
    {
        _sink = sink;
        _failures = failures;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(static s => _ = ((RefusalAuditor)s!).FlushAsync(), this, Window, Window);
    }

    /// <summary>Records one refused request: <paramref name="action"/> (<c>oauth2.token.refuse</c>, ...) with its
    /// <paramref name="outcome"/> (the OAuth2 error), about <paramref name="targetId"/> (the client id it claimed),
    /// counted in the failure summary as <paramref name="kind"/>.</summary>
    public ValueTask RecordAsync(HttpContext context, string action, string outcome, string? targetKind, string? targetId, string reason,
        AuthenticationFailureKind kind = AuthenticationFailureKind.Refused, Exception? storeError = null)
    {
        Log.RequestRefused(_logger, action, outcome, reason, targetId);
        _failures.Record(kind, storeError);
        var source = context.Connection.RemoteIpAddress?.ToString();
        var tallies = Volatile.Read(ref _tallies);
        var key = (action, outcome, source);
        if (!tallies.TryGetValue(key, out var tally))
        {
            if (tallies.Count >= MaxSources)
            {
                key = (action, outcome, null);
            }

            tally = tallies.GetOrAdd(key, static _ => new Tally());
        }

        if (Interlocked.Increment(ref tally.Count) > 1)
        {
            // Within the minute: counted, and raised with the others when the minute ends.
            tally.Last = (targetKind, targetId);
            return ValueTask.CompletedTask;
        }

        var actor = VezaAuditActor.FromRequest(context, "anonymous", null, null);
        return _sink.WriteAsync(actor.Event(action, outcome, targetKind ?? "oauth2_client", targetId, null, _time.GetUtcNow()), CancellationToken.None);
    }

    /// <summary>Raises one event for each kind and address refused more than once in the minute, and starts the next.</summary>
    public async Task FlushAsync()
    {
        ConcurrentDictionary<(string Action, string Outcome, string? Source), Tally> ended;
        lock (_lock)
        {
            ended = _tallies;
            Volatile.Write(ref _tallies, new());
        }

        var now = _time.GetUtcNow();
        Exception? failure = null;
        foreach (var ((action, outcome, source), tally) in ended)
        {
            var more = Volatile.Read(ref tally.Count) - 1;
            if (more <= 0)
            {
                continue;
            }

            var (targetKind, targetId) = tally.Last;
            try
            {
                await _sink.WriteAsync(new VezaAuditEvent
                {
                    Action = action,
                    Outcome = outcome,
                    Actor = "anonymous",
                    TargetKind = targetKind ?? "oauth2_client",
                    TargetId = targetId,
                    ClientIp = source,
                    Timestamp = now,
                    Count = more,
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }

        if (failure is not null)
        {
            Log.AuditSinkFailed(_logger, failure);
        }
    }

    public void Dispose() => _timer.Dispose();

    private sealed class Tally
    {
        public int Count;
        public (string? Kind, string? Id) Last;
    }
}
