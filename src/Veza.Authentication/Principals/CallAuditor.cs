using Microsoft.AspNetCore.Http;
using Veza.Authentication.Diagnostics;

namespace Veza.Authentication.Principals;

/// <summary>
/// Raises the <see cref="VezaAuditEvent.ApiCallAction"/> event of every authenticated call once its response is
/// complete, so the event carries the status the caller got. Shared by every credential kind.
/// </summary>
internal sealed class CallAuditor(IVezaAuditSink sink, TimeProvider time)
{
    public void Register(HttpContext context, in VezaPrincipalDescriptor caller)
        => context.Response.OnCompleted(static state => ((Call)state).WriteAsync(), new Call(this, context, caller));

    private sealed class Call(CallAuditor owner, HttpContext context, VezaPrincipalDescriptor caller)
    {
        public Task WriteAsync()
        {
            var status = context.Response.StatusCode;
            var written = owner._sink.WriteAsync(new VezaAuditEvent
            {
                Action = VezaAuditActions.ApiCall,
                Outcome = status < 400 ? "success" : "failure",
                Actor = caller.Subject,
                ActorCredentialId = caller.CredentialId,
                ActorCredentialKind = caller.Method,
                TargetKind = "api",
                TeamId = caller.TeamId,
                Method = context.Request.Method,
                Path = context.Request.Path.Value,
                StatusCode = status,
                ClientIp = context.Connection.RemoteIpAddress?.ToString(),
                UserAgent = context.Request.Headers.UserAgent.ToString(),
                RequestId = context.TraceIdentifier,
                Timestamp = owner._time.GetUtcNow(),
            }, CancellationToken.None);
            return written.IsCompletedSuccessfully ? Task.CompletedTask : written.AsTask();
        }
    }

    private readonly IVezaAuditSink _sink = sink;
    private readonly TimeProvider _time = time;
}
