using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// The key management API, modelled on Veza's team-key API: list (filter, page_size, page_token), create (the
/// key string is returned once), get, rename (PATCH), revoke, reinstate and delete. Personal keys live under
/// <c>/keys</c>, team keys under <c>/teamkeys</c>. This class only translates HTTP; <see cref="ApiKeyService"/> decides.
/// </summary>
internal static class ApiKeyManagementEndpoints
{
    public static void Map(IEndpointRouteBuilder group, string path, ApiKeyKind kind)
    {
        var keys = group.MapGroup(path);

        // ASP0022 reads "{id}" and "{**rest}" as ambiguous; routing ranks a parameter above a catch-all, so they are not.
#pragma warning disable ASP0022
        keys.MapGet("", (HttpContext c) => RunAsync(c, kind, ListAsync));
        keys.MapPost("", (HttpContext c) => RunAsync(c, kind, CreateAsync));
        keys.MapGet("{id}", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => GetAsync(ctx, k, id)));
        keys.MapPatch("{id}", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => RenameAsync(ctx, k, id)));
        keys.MapDelete("{id}", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => DeleteAsync(ctx, k, id)));
        keys.MapPost("{id}:revoke", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => RevokeAsync(ctx, k, id)));
        keys.MapPost("{id}:reinstate", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => ReinstateAsync(ctx, k, id)));

        // Wrong methods and unknown paths answer in the same JSON shape as every other error, not with an empty body.
        MethodNotAllowed(keys, "", "GET, POST");
        MethodNotAllowed(keys, "{id}", "GET, PATCH, DELETE");
        MethodNotAllowed(keys, "{id}:revoke", "POST");
        MethodNotAllowed(keys, "{id}:reinstate", "POST");
        ManagementHttp.NotFoundForTheRest(keys);
#pragma warning restore ASP0022
    }

    private static void MethodNotAllowed(RouteGroupBuilder keys, string pattern, string allow) => ManagementHttp.MethodNotAllowed(keys, pattern, allow);

    private sealed record Call(HttpContext Http, ManagementCaller Caller, ApiKeyService Keys, IVezaUserDirectory Directory,
        IVezaAuditSink Audit, TimeProvider Time)
    {
        public CancellationToken Aborted => Http.RequestAborted;
    }

    private static Task RunAsync(HttpContext http, ApiKeyKind kind, Func<Call, ApiKeyKind, Task> action)
        => ManagementHttp.RunAsync(http, "keys", caller =>
        {
            var services = http.RequestServices;
            var call = new Call(http, caller, services.GetRequiredService<ApiKeyService>(), services.GetRequiredService<IVezaUserDirectory>(),
                services.GetRequiredService<IVezaAuditSink>(), services.GetRequiredService<TimeProvider>());
            return action(call, kind);
        });

    private static async Task ListAsync(Call call, ApiKeyKind kind)
    {
        var request = call.Http.Request;
        if (!ApiKeyFilter.TryParse(request.Query["filter"], kind, out var query, out var filterError))
        {
            await BadRequest(call, filterError, "INVALID_FILTER").ConfigureAwait(false);
            return;
        }

        // As Veza documents: at most 100 per page; 0 or nothing means the default (100); more is read as 100.
        var (pageOk, pageSize, afterId) = await ManagementHttp.ReadPageAsync(call.Http, id => ApiKeyFormat.IsValidKeyId(id)).ConfigureAwait(false);
        if (!pageOk)
        {
            return;
        }

        // Narrow the query to what the caller may see. Leaving the filter out is never an error: a caller is held to
        // their own team (and, as a plain member, to their own personal keys). Asking for more than that is a 403.
        var caller = call.Caller;
        if (!caller.IsRootAdmin)
        {
            if (query.TeamId is not null && query.TeamId != caller.TeamId)
            {
                await Forbidden(call, "You may list only the keys of your own team.").ConfigureAwait(false);
                return;
            }

            query = query with { TeamId = caller.TeamId };
            if (!caller.IsTeamAdmin)
            {
                if (kind == ApiKeyKind.Team)
                {
                    await Forbidden(call, "Only an administrator of the team may list its team keys.").ConfigureAwait(false);
                    return;
                }

                if (query.OwnerUserId is not null && query.OwnerUserId != caller.UserId)
                {
                    await Forbidden(call, "You may list only your own personal keys.").ConfigureAwait(false);
                    return;
                }

                query = query with { OwnerUserId = caller.UserId };
            }
        }

        var page = await call.Keys.ListAsync(query with { PageSize = pageSize, AfterId = afterId }, call.Aborted).ConfigureAwait(false);
        // One directory read per team on the page, not per key.
        var teamNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new List<ApiKeyResource>(page.Items.Count);
        foreach (var key in page.Items)
        {
            if (!teamNames.TryGetValue(key.TeamId, out var teamName))
            {
                teamName = (await call.Directory.FindTeamAsync(key.TeamId, call.Aborted).ConfigureAwait(false))?.Name ?? string.Empty;
                teamNames.Add(key.TeamId, teamName);
            }

            values.Add(ApiKeyResourceMapper.ToResource(key, teamName, null));
        }

        var hasMore = page.HasMore && page.Items.Count > 0;
        var next = hasMore ? PageToken.Create(page.Items[^1].Id) : string.Empty;
        await Ok(call, new ApiKeyListResponse(values, next, hasMore), VezaJsonContext.Default.ApiKeyListResponse).ConfigureAwait(false);
    }

    private static async Task CreateAsync(Call call, ApiKeyKind kind)
    {
        var body = await ReadBodyAsync(call, VezaJsonContext.Default.CreateApiKeyRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (!ApiKeyService.IsValidName(body.Name))
        {
            await InvalidName(call).ConfigureAwait(false);
            return;
        }

        var caller = call.Caller;
        var teamId = string.IsNullOrEmpty(body.TeamId) ? caller.TeamId : body.TeamId;
        if (kind == ApiKeyKind.Team)
        {
            if (!caller.IsRootAdmin && !(caller.IsTeamAdmin && teamId == caller.TeamId))
            {
                await Audited(call, "api_key.create", "permission_denied", null, teamId).ConfigureAwait(false);
                await Forbidden(call, "Only an administrator of the team, or of the root team, may create its team keys.").ConfigureAwait(false);
                return;
            }

            if (await call.Directory.FindTeamAsync(teamId, call.Aborted).ConfigureAwait(false) is null)
            {
                await BadRequest(call, "team_id does not name a team.", "UNKNOWN_TEAM").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            // A credential acts in its own team: only a root-team administrator's reaches into other teams.
            if (teamId != caller.TeamId && !caller.IsRootAdmin)
            {
                await Audited(call, "api_key.create", "permission_denied", null, teamId).ConfigureAwait(false);
                await Forbidden(call, "This credential can create personal keys only in its own team.").ConfigureAwait(false);
                return;
            }

            var roles = await call.Directory.GetRolesAsync(caller.UserId!, teamId, call.Aborted).ConfigureAwait(false);
            if (roles.Count == 0)
            {
                await Audited(call, "api_key.create", "permission_denied", null, teamId).ConfigureAwait(false);
                await Forbidden(call, "A personal key can be created only for a team you are a member of.").ConfigureAwait(false);
                return;
            }
        }

        var created = await call.Keys.CreateAsync(kind, body.Name!, teamId, kind == ApiKeyKind.Personal ? caller.UserId : null,
            caller.UserId, Actor(call), call.Aborted).ConfigureAwait(false);
        if (created.Result == ApiKeyStoreResult.DuplicateName)
        {
            await Conflict(call).ConfigureAwait(false);
            return;
        }

        if (created.Result == ApiKeyStoreResult.QuotaExceeded)
        {
            await VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.ResourceExhausted, kind == ApiKeyKind.Personal
                ? "You already hold as many personal keys in this team as allowed. Delete one first."
                : "The team already holds as many team keys as allowed. Delete one first.", "KEY_QUOTA_EXCEEDED").ConfigureAwait(false);
            return;
        }

        if (created.Key is null)
        {
            throw new InvalidOperationException("The key store refused a new key id.");
        }

        var resource = await ApiKeyResourceMapper.ToResourceAsync(created.Key, call.Directory, created.AccessKey, call.Aborted).ConfigureAwait(false);
        await Ok(call, new ApiKeyValueResponse(resource), VezaJsonContext.Default.ApiKeyValueResponse).ConfigureAwait(false);
    }

    private static async Task GetAsync(Call call, ApiKeyKind kind, string id)
    {
        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var resource = await ApiKeyResourceMapper.ToResourceAsync(key, call.Directory, null, call.Aborted).ConfigureAwait(false);
        await Ok(call, new ApiKeyValueResponse(resource), VezaJsonContext.Default.ApiKeyValueResponse).ConfigureAwait(false);
    }

    private static async Task RenameAsync(Call call, ApiKeyKind kind, string id)
    {
        var body = await ReadBodyAsync(call, VezaJsonContext.Default.RenameApiKeyRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (!ApiKeyService.IsValidName(body.Name))
        {
            await InvalidName(call).ConfigureAwait(false);
            return;
        }

        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var result = await call.Keys.RenameAsync(id, body.Name!, Actor(call), call.Aborted).ConfigureAwait(false);
        switch (result)
        {
            case ApiKeyStoreResult.Success:
                var renamed = await call.Keys.FindAsync(id, call.Aborted).ConfigureAwait(false) ?? key with { Name = body.Name!.Normalize() };
                var resource = await ApiKeyResourceMapper.ToResourceAsync(renamed, call.Directory, null, call.Aborted).ConfigureAwait(false);
                await Ok(call, new ApiKeyValueResponse(resource), VezaJsonContext.Default.ApiKeyValueResponse).ConfigureAwait(false);
                return;
            case ApiKeyStoreResult.DuplicateName:
                await Conflict(call).ConfigureAwait(false);
                return;
            default:
                await NotFound(call).ConfigureAwait(false);
                return;
        }
    }

    private static async Task RevokeAsync(Call call, ApiKeyKind kind, string id)
    {
        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var result = await call.Keys.RevokeAsync(id, call.Caller.AuthorityOver(key), Actor(call), call.Aborted).ConfigureAwait(false);
        await (result == ApiKeyStoreResult.Success ? Ok(call, new EmptyResponse(), VezaJsonContext.Default.EmptyResponse) : NotFound(call)).ConfigureAwait(false);
    }

    private static async Task ReinstateAsync(Call call, ApiKeyKind kind, string id)
    {
        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var result = await call.Keys.ReinstateAsync(id, call.Caller.AuthorityOver(key), Actor(call), call.Aborted).ConfigureAwait(false);
        switch (result)
        {
            case ApiKeyStoreResult.Success:
                await Ok(call, new EmptyResponse(), VezaJsonContext.Default.EmptyResponse).ConfigureAwait(false);
                return;
            case ApiKeyStoreResult.Outranked:
                await VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.PermissionDenied,
                    "This key was revoked by someone with more authority over it; only they, or someone with at least as much, may reinstate it.",
                    "REVOKED_BY_HIGHER_AUTHORITY").ConfigureAwait(false);
                return;
            default:
                await NotFound(call).ConfigureAwait(false);
                return;
        }
    }

    private static async Task DeleteAsync(Call call, ApiKeyKind kind, string id)
    {
        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var result = await call.Keys.DeleteAsync(id, Actor(call), call.Aborted).ConfigureAwait(false);
        if (result != ApiKeyStoreResult.Success)
        {
            await NotFound(call).ConfigureAwait(false);
            return;
        }

        // As in Veza's example: the deleted key, in the value envelope, with status INACTIVE.
        var resource = await ApiKeyResourceMapper.ToResourceAsync(key with { Status = ApiKeyStatus.Inactive }, call.Directory, null, call.Aborted)
            .ConfigureAwait(false);
        await Ok(call, new ApiKeyValueResponse(resource), VezaJsonContext.Default.ApiKeyValueResponse).ConfigureAwait(false);
    }

    // Keys the caller may not manage answer 404 like missing ones, so ids of other teams' keys cannot be probed.
    private static async Task<ApiKeyRecord?> FindManageableAsync(Call call, ApiKeyKind kind, string id)
    {
        var key = await call.Keys.FindAsync(id, call.Aborted).ConfigureAwait(false);
        if (key is null || key.Kind != kind || !await ManagementHttp.MayManageAsync(call.Http, key).ConfigureAwait(false))
        {
            await NotFound(call).ConfigureAwait(false);
            return null;
        }

        return key;
    }

    private static Task<T?> ReadBodyAsync<T>(Call call, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
        => ManagementHttp.ReadBodyAsync(call.Http, type);

    private static VezaAuditActor Actor(Call call)
        => VezaAuditActor.FromRequest(call.Http, call.Caller.Subject, call.Caller.CredentialId,
            call.Http.User.FindFirst(Veza.Authentication.Principals.VezaClaimTypes.AuthenticationMethod)?.Value);

    // Refusals decided here, before the service is asked, are audited here; everything the service does, it audits.
    private static ValueTask Audited(Call call, string action, string outcome, string? keyId, string? teamId)
        => call.Audit.WriteAsync(Actor(call).Event(action, outcome, "api_key", keyId, teamId, call.Time.GetUtcNow()), CancellationToken.None);

    private static Task Ok<T>(Call call, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        => ManagementHttp.Ok(call.Http, value, type);

    private static Task BadRequest(Call call, string message, string reason) => ManagementHttp.BadRequest(call.Http, message, reason);

    private static Task InvalidName(Call call)
        => BadRequest(call,
            "name is required: " + ApiKeyService.NameRule + ".",
            "INVALID_NAME");

    private static Task Forbidden(Call call, string message) => ManagementHttp.Forbidden(call.Http, message);

    private static Task NotFound(Call call)
        => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.NotFound, "No key with that id.");

    private static Task Conflict(Call call)
        => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.AlreadyExists, "A key with that name already exists in this scope.");
}
