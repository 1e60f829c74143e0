using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.OAuth2.Grants;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// OAuth2 apps over HTTP, with the conventions of the client API: list, create (a confidential app's secret is
/// returned once), get, edit (PATCH: the fields given replace the stored ones), <c>{id}:revoke</c>,
/// <c>{id}:reinstate</c>, delete, and secrets. Apps act for users of every team, so only administrators of the root
/// team manage them. <see cref="OAuthAppService"/> decides and audits.
/// </summary>
internal static class OAuthAppManagementEndpoints
{
    private const string What = "OAuth2 apps";

    public static void Map(IEndpointRouteBuilder group, string path)
        => ManagementHttp.MapRegistrations(group, path, What, new RegistrationHandlers(
            ListAsync,
            CreateAsync,
            GetAsync,
            EditAsync,
            (c, caller, id) => ChangeAsync(c, caller, id, (s, a) => s.DeleteAsync(id, a, c.RequestAborted), deleted: true),
            (c, caller, id) => ChangeAsync(c, caller, id, (s, a) => s.RevokeAsync(id, a, c.RequestAborted)),
            (c, caller, id) => ChangeAsync(c, caller, id, (s, a) => s.ReinstateAsync(id, a, c.RequestAborted)),
            AddSecretAsync,
            (c, caller, id, secretId) => ChangeAsync(c, caller, id, (s, a) => s.RemoveSecretAsync(id, secretId, a, c.RequestAborted))));

    private static OAuthAppService Service(HttpContext http) => http.RequestServices.GetRequiredService<OAuthAppService>();

    private static VezaAuditActor Actor(HttpContext http, ManagementCaller caller)
        => VezaAuditActor.FromRequest(http, caller.Subject, caller.CredentialId, http.User.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value);

    private static async Task<bool> RefuseUnlessRootAdminAsync(HttpContext http, ManagementCaller caller)
    {
        if (caller.IsRootAdmin)
        {
            return false;
        }

        await ManagementHttp.Forbidden(http, "Only administrators of the root team manage OAuth2 apps.").ConfigureAwait(false);
        return true;
    }

    private static async Task ListAsync(HttpContext http, ManagementCaller caller)
    {
        if (await RefuseUnlessRootAdminAsync(http, caller).ConfigureAwait(false))
        {
            return;
        }

        var (ok, pageSize, afterId) = await ManagementHttp.ReadPageAsync(http, ClientSecretVerifier.IsPlausible).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        var page = await Service(http).ListAsync(new OAuthClientQuery { AfterId = afterId, PageSize = pageSize }, http.RequestAborted).ConfigureAwait(false);
        var hasMore = page.HasMore && page.Items.Count > 0;
        await ManagementHttp.Ok(http, new OAuthAppListResponse([.. page.Items.Select(a => OAuthAppResource.From(a))],
            hasMore ? PageToken.Create(page.Items[^1].Id) : string.Empty, hasMore), VezaJsonContext.Default.OAuthAppListResponse).ConfigureAwait(false);
    }

    private static async Task CreateAsync(HttpContext http, ManagementCaller caller)
    {
        if (await RefuseUnlessRootAdminAsync(http, caller).ConfigureAwait(false))
        {
            return;
        }

        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.OAuthAppRequest).ConfigureAwait(false);
        if (body is null || !await LifetimeIsValidAsync(http, body).ConfigureAwait(false))
        {
            return;
        }

        var change = await Service(http).CreateAsync(new OAuthAppDraft
        {
            Name = body.Name ?? string.Empty,
            TeamId = caller.TeamId,
            BaseUrl = body.BaseUrl ?? string.Empty,
            RedirectUris = body.RedirectUris ?? [],
            AllowedScopes = body.Scopes ?? [],
            IsPublic = body.IsPublic ?? false,
            AllowAnyRedirectUri = body.AllowAnyRedirectUri ?? false,
            AllowLoopbackRedirectUris = body.AllowLoopbackRedirectUris ?? false,
            AccessTokenLifetime = body.AccessTokenLifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        }, Actor(http, caller), http.RequestAborted).ConfigureAwait(false);
        if (await OAuthClientManagementEndpoints.WriteFailureAsync(http, change, "app").ConfigureAwait(false))
        {
            return;
        }

        await ManagementHttp.Ok(http, new OAuthAppValueResponse(OAuthAppResource.From(change.Client!, change.Secret)), VezaJsonContext.Default.OAuthAppValueResponse)
            .ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext http, ManagementCaller caller, string id)
    {
        if (await FindManageableAsync(http, caller, id).ConfigureAwait(false) is { } app)
        {
            await ManagementHttp.Ok(http, new OAuthAppValueResponse(OAuthAppResource.From(app)), VezaJsonContext.Default.OAuthAppValueResponse).ConfigureAwait(false);
        }
    }

    private static async Task EditAsync(HttpContext http, ManagementCaller caller, string id)
    {
        var body = await ManagementHttp.ReadBodyAsync(http, VezaJsonContext.Default.OAuthAppRequest).ConfigureAwait(false);
        if (body is null || !await LifetimeIsValidAsync(http, body).ConfigureAwait(false) || await FindManageableAsync(http, caller, id).ConfigureAwait(false) is not { } app)
        {
            return;
        }

        var settings = app.App!;
        var draft = new OAuthAppDraft
        {
            Name = body.Name ?? app.Name,
            TeamId = app.TeamId,
            BaseUrl = body.BaseUrl ?? settings.BaseUrl,
            RedirectUris = body.RedirectUris ?? settings.RedirectUris,
            AllowedScopes = body.Scopes ?? app.AllowedScopes,
            IsPublic = body.IsPublic ?? settings.IsPublic,
            AllowAnyRedirectUri = body.AllowAnyRedirectUri ?? settings.AllowAnyRedirectUri,
            AllowLoopbackRedirectUris = body.AllowLoopbackRedirectUris ?? settings.AllowLoopbackRedirectUris,
            AccessTokenLifetime = body.AccessTokenLifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : app.AccessTokenLifetime,
        };
        await ChangeAsync(http, caller, id, (s, a) => s.UpdateAsync(id, draft, a, http.RequestAborted), found: app).ConfigureAwait(false);
    }

    private static async Task AddSecretAsync(HttpContext http, ManagementCaller caller, string id)
    {
        var body = await ManagementHttp.ReadSecretRequestAsync(http).ConfigureAwait(false);
        if (body is null || await FindManageableAsync(http, caller, id).ConfigureAwait(false) is null)
        {
            return;
        }

        var change = await Service(http).AddSecretAsync(id, body.ExpiresAt, Actor(http, caller), http.RequestAborted).ConfigureAwait(false);
        if (await OAuthClientManagementEndpoints.WriteFailureAsync(http, change, "app").ConfigureAwait(false))
        {
            return;
        }

        await ManagementHttp.Ok(http, new AppSecretValueResponse(change.SecretId!, change.Secret!, OAuthAppResource.From(change.Client!)),
            VezaJsonContext.Default.AppSecretValueResponse).ConfigureAwait(false);
    }

    private static async Task ChangeAsync(HttpContext http, ManagementCaller caller, string id,
        Func<OAuthAppService, VezaAuditActor, ValueTask<OAuthClientChange>> change, bool deleted = false, OAuthClientRecord? found = null)
    {
        var before = found ?? await FindManageableAsync(http, caller, id).ConfigureAwait(false);
        if (before is null)
        {
            return;
        }

        var result = await change(Service(http), Actor(http, caller)).ConfigureAwait(false);
        if (await OAuthClientManagementEndpoints.WriteFailureAsync(http, result, "app").ConfigureAwait(false))
        {
            return;
        }

        var shown = deleted ? before with { Status = OAuthClientStatus.Inactive } : result.Client ?? before;
        await ManagementHttp.Ok(http, new OAuthAppValueResponse(OAuthAppResource.From(shown)), VezaJsonContext.Default.OAuthAppValueResponse).ConfigureAwait(false);
    }

    private static async Task<bool> LifetimeIsValidAsync(HttpContext http, OAuthAppRequest body)
    {
        if (body.AccessTokenLifetimeSeconds is < 1 or > int.MaxValue)
        {
            await ManagementHttp.BadRequest(http, "access_token_lifetime_seconds must be a positive number of seconds.", "INVALID_ARGUMENT").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    // An app the caller may not manage is answered as not found.
    private static async Task<OAuthClientRecord?> FindManageableAsync(HttpContext http, ManagementCaller caller, string id)
    {
        var app = await Service(http).FindAsync(id, http.RequestAborted).ConfigureAwait(false);
        if (app is null || !caller.IsRootAdmin || !await ManagementHttp.MayManageAsync(http, app).ConfigureAwait(false))
        {
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.NotFound, "No such OAuth2 app.").ConfigureAwait(false);
            return null;
        }

        return app;
    }
}

/// <summary>
/// A user's consents over HTTP: list the apps they allowed (<c>GET</c>) and withdraw an app's consent
/// (<c>DELETE {appId}</c>), which revokes that app's tokens and refresh tokens for them. Only the user themselves,
/// with their own credential (not through an app).
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

    private static async Task ListAsync(HttpContext http, ManagementCaller caller)
    {
        if (caller.UserId is not { } userId)
        {
            await ManagementHttp.Forbidden(http, "Only a user, with their own credential, lists their consents.").ConfigureAwait(false);
            return;
        }

        var consents = await http.RequestServices.GetRequiredService<UserGrants>().Consents.ListAsync(userId, null, http.RequestAborted).ConfigureAwait(false);
        var apps = http.RequestServices.GetRequiredService<OAuthAppService>();
        var values = new List<OAuthConsentResource>(consents.Count);
        foreach (var consent in consents)
        {
            var app = await apps.FindAsync(consent.AppId, http.RequestAborted).ConfigureAwait(false);
            values.Add(new OAuthConsentResource(consent.AppId, app?.Name ?? string.Empty, app?.App?.BaseUrl ?? string.Empty, consent.TeamId, consent.Scopes,
                VezaErrorWriter.FormatTimestamp(consent.GrantedAt)));
        }

        await ManagementHttp.Ok(http, new OAuthConsentListResponse(values), VezaJsonContext.Default.OAuthConsentListResponse).ConfigureAwait(false);
    }

    private static async Task WithdrawAsync(HttpContext http, ManagementCaller caller, string appId)
    {
        if (caller.UserId is not { } userId)
        {
            await ManagementHttp.Forbidden(http, "Only a user, with their own credential, withdraws their consents.").ConfigureAwait(false);
            return;
        }

        var actor = VezaAuditActor.FromRequest(http, caller.Subject, caller.CredentialId, http.User.FindFirst(VezaClaimTypes.AuthenticationMethod)?.Value);
        var removed = await http.RequestServices.GetRequiredService<OAuthAppService>().WithdrawConsentAsync(userId, appId, actor, http.RequestAborted)
            .ConfigureAwait(false);
        if (removed == 0)
        {
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.NotFound, "You have not consented to that app.").ConfigureAwait(false);
            return;
        }

        await ManagementHttp.Ok(http, new OAuthConsentWithdrawn(appId, removed), VezaJsonContext.Default.OAuthConsentWithdrawn).ConfigureAwait(false);
    }
}

internal sealed record OAuthAppResource(
    string ClientId,
    string ClientSecret,
    string Name,
    string BaseUrl,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> Scopes,
    bool IsPublic,
    bool AllowAnyRedirectUri,
    bool AllowLoopbackRedirectUris,
    long AccessTokenLifetimeSeconds,
    string Status,
    string CreatedAt,
    string LastUsedAt,
    IReadOnlyList<ClientSecretResource> Secrets)
{
    public static OAuthAppResource From(OAuthClientRecord app, string? secret = null)
    {
        var client = OAuthClientResource.From(app, secret);
        var settings = app.App!;
        return new(client.ClientId, client.ClientSecret, client.Name, settings.BaseUrl, settings.RedirectUris, client.Scopes, settings.IsPublic,
            settings.AllowAnyRedirectUri, settings.AllowLoopbackRedirectUris, client.AccessTokenLifetimeSeconds, client.Status, client.CreatedAt, client.LastUsedAt,
            client.Secrets);
    }
}

internal sealed record OAuthAppValueResponse(OAuthAppResource Value);

internal sealed record OAuthAppListResponse(IReadOnlyList<OAuthAppResource> Values, string NextPageToken, bool HasMore);

internal sealed record OAuthAppRequest(
    string? Name,
    string? BaseUrl,
    IReadOnlyList<string>? RedirectUris,
    IReadOnlyList<string>? Scopes,
    bool? IsPublic,
    bool? AllowAnyRedirectUri,
    bool? AllowLoopbackRedirectUris,
    long? AccessTokenLifetimeSeconds);

internal sealed record AppSecretValueResponse(string SecretId, string ClientSecret, OAuthAppResource Value);

internal sealed record OAuthConsentResource(string AppId, string AppName, string BaseUrl, string TeamId, IReadOnlyList<string> Scopes, string GrantedAt);

internal sealed record OAuthConsentListResponse(IReadOnlyList<OAuthConsentResource> Values);

internal sealed record OAuthConsentWithdrawn(string AppId, int Withdrawn);
