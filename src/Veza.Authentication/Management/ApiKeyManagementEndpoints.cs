using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// The key management API, modelled on Veza's team-key API: list (filter, page_size, page_token), create (the
/// key string is returned once), get, rename (PATCH), revoke, reinstate and delete. Personal keys live under
/// <c>/keys</c>, team keys under <c>/teamkeys</c>. This class only translates HTTP; <see cref="ApiKeyService"/> decides who
/// may do what, and audits.
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

    private sealed record Call(HttpContext Http, VezaCaller Caller, ApiKeyService Keys, IVezaUserDirectory Directory)
    {
        public CancellationToken Aborted => Http.RequestAborted;
    }

    private static Task RunAsync(HttpContext http, ApiKeyKind kind, Func<Call, ApiKeyKind, Task> action)
        => ManagementHttp.RunAsync(http, "keys", caller =>
        {
            var services = http.RequestServices;
            return action(new Call(http, caller, services.GetRequiredService<ApiKeyService>(), services.GetRequiredService<IVezaUserDirectory>()), kind);
        });

    private static async Task ListAsync(Call call, ApiKeyKind kind)
    {
        var request = call.Http.Request;
        if (!ApiKeyFilter.TryParse(request.Query["filter"], kind, out var query, out var filterError))
        {
            await ManagementHttp.BadRequest(call.Http, filterError, "INVALID_FILTER").ConfigureAwait(false);
            return;
        }

        // As Veza documents: at most 100 per page; 0 or nothing means the default (100); more is read as 100.
        var (pageOk, pageSize, afterId) = await ManagementHttp.ReadPageAsync(call.Http, id => ApiKeyFormat.IsValidKeyId(id)).ConfigureAwait(false);
        if (!pageOk)
        {
            return;
        }

        var page = await call.Keys.ListAsync(query with { PageSize = pageSize, AfterId = afterId }, call.Caller, call.Aborted).ConfigureAwait(false);
        if (page.Result != ApiKeyResult.Success)
        {
            await WriteFailureAsync(call, new ApiKeyChange(page.Result, Error: page.Error), kind).ConfigureAwait(false);
            return;
        }

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
        var body = await ManagementHttp.ReadBodyAsync(call.Http, VezaJsonContext.Default.CreateApiKeyRequest).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var created = await call.Keys.CreateAsync(new ApiKeyDraft { Kind = kind, Name = body.Name ?? string.Empty, TeamId = body.TeamId }, call.Caller, call.Aborted)
            .ConfigureAwait(false);
        await AnswerAsync(call, created, kind, created.AccessKey).ConfigureAwait(false);
    }

    private static async Task GetAsync(Call call, ApiKeyKind kind, string id)
        => await AnswerAsync(call, await call.Keys.GetAsync(kind, id, call.Caller, call.Aborted).ConfigureAwait(false), kind).ConfigureAwait(false);

    private static async Task RenameAsync(Call call, ApiKeyKind kind, string id)
    {
        var body = await ManagementHttp.ReadBodyAsync(call.Http, VezaJsonContext.Default.RenameApiKeyRequest).ConfigureAwait(false);
        if (body is not null)
        {
            await AnswerAsync(call, await call.Keys.RenameAsync(kind, id, body.Name ?? string.Empty, call.Caller, call.Aborted).ConfigureAwait(false), kind)
                .ConfigureAwait(false);
        }
    }

    private static async Task RevokeAsync(Call call, ApiKeyKind kind, string id)
        => await AnswerEmptyAsync(call, await call.Keys.RevokeAsync(kind, id, call.Caller, call.Aborted).ConfigureAwait(false), kind).ConfigureAwait(false);

    private static async Task ReinstateAsync(Call call, ApiKeyKind kind, string id)
        => await AnswerEmptyAsync(call, await call.Keys.ReinstateAsync(kind, id, call.Caller, call.Aborted).ConfigureAwait(false), kind).ConfigureAwait(false);

    private static async Task DeleteAsync(Call call, ApiKeyKind kind, string id)
    {
        var deleted = await call.Keys.DeleteAsync(kind, id, call.Caller, call.Aborted).ConfigureAwait(false);
        // As in Veza's example: the deleted key, in the value envelope, with status INACTIVE.
        await AnswerAsync(call, deleted with { Key = deleted.Key is { } key ? key with { Status = ApiKeyStatus.Inactive } : null }, kind).ConfigureAwait(false);
    }

    // The key in the value envelope, or the error the outcome maps to.
    private static async Task AnswerAsync(Call call, ApiKeyChange change, ApiKeyKind kind, string? accessKey = null)
    {
        if (change.Result != ApiKeyResult.Success || change.Key is null)
        {
            await WriteFailureAsync(call, change, kind).ConfigureAwait(false);
            return;
        }

        var resource = await ApiKeyResourceMapper.ToResourceAsync(change.Key, call.Directory, accessKey, call.Aborted).ConfigureAwait(false);
        await Ok(call, new ApiKeyValueResponse(resource), VezaJsonContext.Default.ApiKeyValueResponse).ConfigureAwait(false);
    }

    private static Task AnswerEmptyAsync(Call call, ApiKeyChange change, ApiKeyKind kind)
        => change.Result == ApiKeyResult.Success ? Ok(call, new EmptyResponse(), VezaJsonContext.Default.EmptyResponse) : WriteFailureAsync(call, change, kind);

    private static Task WriteFailureAsync(Call call, ApiKeyChange change, ApiKeyKind kind) => change.Result switch
    {
        ApiKeyResult.Forbidden => ManagementHttp.Forbidden(call.Http, change.Error ?? "You may not do this."),
        ApiKeyResult.Outranked => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.PermissionDenied, change.Error ?? "Revoked with more authority.",
            "REVOKED_BY_HIGHER_AUTHORITY"),
        ApiKeyResult.InvalidName => ManagementHttp.BadRequest(call.Http, change.Error ?? "The name is not acceptable.", "INVALID_NAME"),
        ApiKeyResult.Invalid => ManagementHttp.BadRequest(call.Http, change.Error ?? "A value is not acceptable.", "INVALID_ARGUMENT"),
        ApiKeyResult.UnknownTeam => ManagementHttp.BadRequest(call.Http, "team_id does not name a team.", "UNKNOWN_TEAM"),
        ApiKeyResult.DuplicateName => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.AlreadyExists, "A key with that name already exists in this scope."),
        ApiKeyResult.Conflict => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.AlreadyExists, "The key id is taken; try again."),
        ApiKeyResult.QuotaExceeded => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.ResourceExhausted, kind == ApiKeyKind.Personal
            ? "You already hold as many personal keys in this team as allowed. Delete one first."
            : "The team already holds as many team keys as allowed. Delete one first.", "KEY_QUOTA_EXCEEDED"),
        _ => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.NotFound, "No key with that id."),
    };

    private static Task Ok<T>(Call call, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        => ManagementHttp.Ok(call.Http, value, type);
}
