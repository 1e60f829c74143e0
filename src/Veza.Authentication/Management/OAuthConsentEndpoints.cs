using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;

namespace Veza.Authentication.Management;

/// <summary>
/// A user's consents over HTTP: list the apps they allowed (<c>GET</c>) and withdraw an app's consent
/// (<c>DELETE {appId}</c>), which revokes that app's tokens and refresh tokens for them. <see cref="OAuthAppService"/>
/// decides who may: only the user themselves, with their own credential (not through an app).
/// </summary>
internal static class OAuthConsentEndpoints
{
    private const string What = "OAuth2 consents";

    public static void Map(IEndpointRouteBuilder group, string path)
    {
        var consents = group.MapGroup(path);
#pragma warning disable ASP0022
        consents.MapGet("", (HttpContext c) => ManagementHttp.RunAsync(c, What, caller => ListAsync(c, caller)));
        consents.MapDelete("{appId}", (HttpContext c, string appId) => ManagementHttp.RunAsync(c, What, caller => WithdrawAsync(c, caller, appId)));
        ManagementHttp.MethodNotAllowed(consents, "", "GET");
        ManagementHttp.MethodNotAllowed(consents, "{appId}", "DELETE");
        ManagementHttp.NotFoundForTheRest(consents);
#pragma warning restore ASP0022
    }

    private static OAuthAppService Service(HttpContext http) => http.RequestServices.GetRequiredService<OAuthAppService>();

    private static async Task ListAsync(HttpContext http, VezaCaller caller)
    {
        var listed = await Service(http).ListConsentsAsync(null, caller, http.RequestAborted).ConfigureAwait(false);
        if (listed.Result != OAuthClientResult.Success)
        {
            await ManagementHttp.Forbidden(http, listed.Error ?? "You may not see these consents.").ConfigureAwait(false);
            return;
        }

        var values = listed.Items.Select(e => new OAuthConsentResource(e.Consent.AppId, e.App?.Name ?? string.Empty, e.App?.App?.BaseUrl ?? string.Empty,
            e.Consent.TeamId, e.Consent.Scopes, VezaErrorWriter.FormatTimestamp(e.Consent.GrantedAt))).ToList();
        await ManagementHttp.Ok(http, new OAuthConsentListResponse(values), VezaJsonContext.Default.OAuthConsentListResponse).ConfigureAwait(false);
    }

    private static async Task WithdrawAsync(HttpContext http, VezaCaller caller, string appId)
    {
        var withdrawal = await Service(http).WithdrawConsentAsync(null, appId, caller, http.RequestAborted).ConfigureAwait(false);
        await (withdrawal.Result switch
        {
            OAuthClientResult.Success => ManagementHttp.Ok(http, new OAuthConsentWithdrawn(appId, withdrawal.Withdrawn), VezaJsonContext.Default.OAuthConsentWithdrawn),
            OAuthClientResult.NotFound => VezaErrorWriter.WriteAsync(http, VezaErrorKind.NotFound, "You have not consented to that app."),
            _ => ManagementHttp.Forbidden(http, withdrawal.Error ?? "You may not withdraw this consent."),
        }).ConfigureAwait(false);
    }
}
