using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// OAuth2 apps over HTTP, with the conventions of the client API: list, create (a confidential app's secret is
/// returned once), get, edit (PATCH: the fields given replace the stored ones), <c>{id}:revoke</c>,
/// <c>{id}:reinstate</c>, delete, and secrets. This class only translates HTTP; <see cref="OAuthAppService"/> decides
/// who may (administrators of the root team) and audits.
/// </summary>
internal static class OAuthAppManagementEndpoints
{
    private const string What = "OAuth2 apps";
    private const string Noun = "app";

    public static void Map(IEndpointRouteBuilder group, string path)
        => ManagementHttp.MapRegistrations(group, path, What, new RegistrationHandlers(
            ListAsync,
            CreateAsync,
            (c, caller, id) => AnswerAsync(c, Service(c).GetAsync(id, caller, c.RequestAborted)),
            EditAsync,
            (c, caller, id) => AnswerAsync(c, Service(c).DeleteAsync(id, caller, c.RequestAborted), deleted: true),
            (c, caller, id) => AnswerAsync(c, Service(c).RevokeAsync(id, caller, c.RequestAborted)),
            (c, caller, id) => AnswerAsync(c, Service(c).ReinstateAsync(id, caller, c.RequestAborted)),
            AddSecretAsync,
            (c, caller, id, secretId) => AnswerAsync(c, Service(c).RemoveSecretAsync(id, secretId, caller, c.RequestAborted))));

    private static OAuthAppService Service(HttpContext http) => http.RequestServices.GetRequiredService<OAuthAppService>();

    private static async Task ListAsync(HttpContext http, VezaCaller caller)
    {
        var (ok, pageSize, afterId) = await ManagementHttp.ReadPageAsync(http, ClientSecretVerifier.IsPlausible).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        var page = await Service(http).ListAsync(new OAuthClientQuery { AfterId = afterId, PageSize = pageSize }, caller, http.RequestAborted).ConfigureAwait(false);
        if (await OAuthClientManagementEndpoints.WriteFailureAsync(http, new OAuthClientChange(page.Result, Error: page.Error), Noun).ConfigureAwait(false))
        {
            return;
        }

        var hasMore = page.HasMore && page.Items.Count > 0;
        await ManagementHttp.Ok(http, new OAuthAppListResponse([.. page.Items.Select(a => OAuthAppResource.From(a))],
            hasMore ? PageToken.Create(page.Items[^1].Id) : string.Empty, hasMore), VezaJsonContext.Default.OAuthAppListResponse).ConfigureAwait(false);
    }

    private static async Task CreateAsync(HttpContext http, VezaCaller caller)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.OAuthAppRequest).ConfigureAwait(false);
        if (body is null || !await OAuthClientManagementEndpoints.LifetimeIsValidAsync(http, body.AccessTokenLifetimeSeconds).ConfigureAwait(false))
        {
            return;
        }

        var change = await Service(http).CreateAsync(new OAuthAppDraft
        {
            Name = body.Name ?? string.Empty,
            TeamId = string.Empty,
            BaseUrl = body.BaseUrl ?? string.Empty,
            RedirectUris = body.RedirectUris ?? [],
            AllowedScopes = body.Scopes ?? [],
            IsPublic = body.IsPublic ?? false,
            AllowAnyRedirectUri = body.AllowAnyRedirectUri ?? false,
            AllowLoopbackRedirectUris = body.AllowLoopbackRedirectUris ?? false,
            AccessTokenLifetime = body.AccessTokenLifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        }, caller, http.RequestAborted).ConfigureAwait(false);
        if (!await OAuthClientManagementEndpoints.WriteFailureAsync(http, change, Noun).ConfigureAwait(false))
        {
            await ManagementHttp.Ok(http, new OAuthAppValueResponse(OAuthAppResource.From(change.Client!, change.Secret)), VezaJsonContext.Default.OAuthAppValueResponse)
                .ConfigureAwait(false);
        }
    }

    // PATCH: the fields given replace the stored ones, the rest are kept.
    private static async Task EditAsync(HttpContext http, VezaCaller caller, string id)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.OAuthAppRequest).ConfigureAwait(false);
        if (body is null || !await OAuthClientManagementEndpoints.LifetimeIsValidAsync(http, body.AccessTokenLifetimeSeconds).ConfigureAwait(false))
        {
            return;
        }

        await AnswerAsync(http, Service(http).EditAsync(id, app => new OAuthAppDraft
        {
            Name = body.Name ?? app.Name,
            TeamId = app.TeamId,
            BaseUrl = body.BaseUrl ?? app.App!.BaseUrl,
            RedirectUris = body.RedirectUris ?? app.App!.RedirectUris,
            AllowedScopes = body.Scopes ?? app.AllowedScopes,
            IsPublic = body.IsPublic ?? app.App!.IsPublic,
            AllowAnyRedirectUri = body.AllowAnyRedirectUri ?? app.App!.AllowAnyRedirectUri,
            AllowLoopbackRedirectUris = body.AllowLoopbackRedirectUris ?? app.App!.AllowLoopbackRedirectUris,
            AccessTokenLifetime = body.AccessTokenLifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : app.AccessTokenLifetime,
        }, caller, http.RequestAborted)).ConfigureAwait(false);
    }

    private static async Task AddSecretAsync(HttpContext http, VezaCaller caller, string id)
    {
        var body = await ManagementHttp.ReadSecretRequestAsync(http).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var change = OAuthClientManagementEndpoints.Shown(await Service(http).AddSecretAsync(id, body.ExpiresAt, caller, http.RequestAborted).ConfigureAwait(false));
        if (!await OAuthClientManagementEndpoints.WriteFailureAsync(http, change, Noun).ConfigureAwait(false))
        {
            await ManagementHttp.Ok(http, new AppSecretValueResponse(change.SecretId!, change.Secret!, OAuthAppResource.From(change.Client!)),
                VezaJsonContext.Default.AppSecretValueResponse).ConfigureAwait(false);
        }
    }

    // The app in the value envelope (a deleted one with status INACTIVE), or the error.
    private static async Task AnswerAsync(HttpContext http, ValueTask<OAuthClientChange> pending, bool deleted = false)
    {
        var change = OAuthClientManagementEndpoints.Shown(await pending.ConfigureAwait(false));
        if (!await OAuthClientManagementEndpoints.WriteFailureAsync(http, change, Noun).ConfigureAwait(false))
        {
            var shown = deleted ? change.Client! with { Status = OAuthClientStatus.Inactive } : change.Client!;
            await ManagementHttp.Ok(http, new OAuthAppValueResponse(OAuthAppResource.From(shown)), VezaJsonContext.Default.OAuthAppValueResponse).ConfigureAwait(false);
        }
    }
}
