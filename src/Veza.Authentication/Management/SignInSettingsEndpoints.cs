using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;

namespace Veza.Authentication.Management;

/// <summary>The sign-in settings resource; <see cref="SignInSettingsService"/> decides who may read and change it
/// (administrators of the root team).</summary>
internal static class SignInSettingsEndpoints
{
    public static void Map(IEndpointRouteBuilder group, string path)
    {
        group.MapGet(path, (HttpContext c) => ManagementHttp.RunAsync(c, "sign-in settings", caller => GetAsync(c, caller)));
        group.MapPatch(path, (HttpContext c) => ManagementHttp.RunAsync(c, "sign-in settings", caller => UpdateAsync(c, caller)));
        ManagementHttp.MethodNotAllowed(group, path, "GET, PATCH");
    }

    private static SignInSettingsService Service(HttpContext http) => http.RequestServices.GetRequiredService<SignInSettingsService>();

    private static async Task GetAsync(HttpContext http, VezaCaller caller)
        => await WriteAsync(http, await Service(http).GetAsync(caller, http.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);

    private static async Task UpdateAsync(HttpContext http, VezaCaller caller)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.UpdateSignInSettingsRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (body.Oauth2AuthorizationServerEnabled is not { } enabled)
        {
            await ManagementHttp.BadRequest(http, "oauth2_authorization_server_enabled (true or false) is required.", "INVALID_ARGUMENT").ConfigureAwait(false);
            return;
        }

        await WriteAsync(http, await Service(http).SetOAuth2EnabledAsync(enabled, caller, http.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext http, SignInSettingsOutcome outcome) => outcome switch
    {
        { Result: SignInSettingsResult.Success, Settings: { } settings } => ManagementHttp.Ok(http, new SignInSettingsResponse(settings.OAuth2Enabled,
            settings.UpdatedAt is { } at ? VezaErrorWriter.FormatTimestamp(at) : string.Empty, settings.UpdatedBy ?? string.Empty),
            VezaJsonContext.Default.SignInSettingsResponse),
        { Result: SignInSettingsResult.Forbidden } => ManagementHttp.Forbidden(http, outcome.Error ?? "You may not manage the sign-in settings."),
        _ => VezaErrorWriter.WriteAsync(http, VezaErrorKind.AlreadyExists, "The settings changed meanwhile; read them and try again.", "CONCURRENT_CHANGE"),
    };
}
