using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2.Tokens;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>What the token, revocation and introspection endpoints tell the audit sink: the requests they refuse, and what authenticated clients did.</summary>
internal static class OAuthEndpointAudit
{
    // Every refused request: logged at Debug, counted in the minute's Warning summary, and audited aggregated (a flood is
    // never one event per request). The caller is not authenticated: the client id it claimed is the target, never the actor.
    public static async Task RefuseAsync(HttpContext context, OAuthError error, bool basic, string? clientId, string reason,
        AuthenticationFailureKind kind = AuthenticationFailureKind.Refused, Exception? storeError = null)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value.OAuth2;
        var path = context.Request.Path;
        var action = path.Equals(options.RevocationPath, StringComparison.OrdinalIgnoreCase) ? VezaAuditActions.RevokeRefuse
            : path.Equals(options.IntrospectionPath, StringComparison.OrdinalIgnoreCase) ? VezaAuditActions.IntrospectRefuse
            : VezaAuditActions.TokenRefuse;
        await context.RequestServices.GetRequiredService<RefusalAuditor>().RecordAsync(context, action, error.Error, "oauth2_client",
            clientId is not null && ClientSecretVerifier.IsPlausible(clientId) ? clientId : null, reason, kind, storeError).ConfigureAwait(false);
        await OAuthProtocol.WriteErrorAsync(context, error, basic).ConfigureAwait(false);
    }

    /// <summary>A successful <paramref name="action"/> of an authenticated client, about one of its tokens when <paramref name="tokenId"/> is set.</summary>
    public static ValueTask SucceededAsync(HttpContext context, string action, ClientSnapshot client, string? teamId, string? tokenId = null)
    {
        var services = context.RequestServices;
        var actor = VezaAuditActor.FromRequest(context, AccessTokenClaims.Subject(client.Id), client.Id,
            client.Kind == OAuthClientKind.App ? VezaAuthenticationMethods.OAuth2App : VezaAuthenticationMethods.OAuth2Client);
        var auditEvent = actor.Event(action, "success", tokenId is null ? "oauth2_client" : "oauth2_token", tokenId ?? client.Id, teamId,
            services.GetRequiredService<TimeProvider>().GetUtcNow());
        return services.GetRequiredService<IVezaAuditSink>().WriteAsync(auditEvent, CancellationToken.None);
    }
}
