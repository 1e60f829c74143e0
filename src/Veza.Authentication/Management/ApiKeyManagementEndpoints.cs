using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    private const int MaxBodyBytes = 16 * 1024;
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static void Map(IEndpointRouteBuilder group, string path, ApiKeyKind kind)
    {
        var keys = group.MapGroup(path);
        keys.MapGet("", (HttpContext c) => RunAsync(c, kind, ListAsync));
        keys.MapPost("", (HttpContext c) => RunAsync(c, kind, CreateAsync));
        keys.MapGet("{id}", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => GetAsync(ctx, k, id)));
        keys.MapPatch("{id}", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => RenameAsync(ctx, k, id)));
        keys.MapDelete("{id}", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => DeleteAsync(ctx, k, id)));
        keys.MapPost("{id}:revoke", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => SetStatusAsync(ctx, k, id, ApiKeyStatus.Inactive)));
        keys.MapPost("{id}:reinstate", (HttpContext c, string id) => RunAsync(c, kind, (ctx, k) => SetStatusAsync(ctx, k, id, ApiKeyStatus.Active)));
    }

    private sealed record Call(HttpContext Http, ManagementCaller Caller, ApiKeyService Keys, IVezaUserDirectory Directory,
        IVezaAuditSink Audit, TimeProvider Time)
    {
        public CancellationToken Aborted => Http.RequestAborted;
    }

    private static async Task RunAsync(HttpContext http, ApiKeyKind kind, Func<Call, ApiKeyKind, Task> action)
    {
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value;
        var directory = services.GetRequiredService<IVezaUserDirectory>();
        try
        {
            var caller = await ManagementCaller.FromPrincipalAsync(http.User, options, directory, http.RequestAborted).ConfigureAwait(false);
            if (caller is null)
            {
                await VezaErrorWriter.WriteAsync(http, VezaErrorKind.PermissionDenied, "This credential cannot manage keys.").ConfigureAwait(false);
                return;
            }

            if (!caller.IsUser)
            {
                await VezaErrorWriter.WriteAsync(http, VezaErrorKind.PermissionDenied,
                    "A team's service account cannot manage keys.").ConfigureAwait(false);
                return;
            }

            var call = new Call(http, caller, services.GetRequiredService<ApiKeyService>(), directory,
                services.GetRequiredService<IVezaAuditSink>(), services.GetRequiredService<TimeProvider>());
            await action(call, kind).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            // A store failure: nothing was changed by this request beyond what the store reported, and no details leak.
            Log.ManagementFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiKeyManagementEndpoints)), ex);
            http.Response.Headers.RetryAfter = "5";
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.Unavailable, "The key store is unavailable. Try again later.").ConfigureAwait(false);
        }
    }

    private static async Task ListAsync(Call call, ApiKeyKind kind)
    {
        var request = call.Http.Request;
        if (!ApiKeyFilter.TryParse(request.Query["filter"], kind, out var query, out var filterError))
        {
            await BadRequest(call, filterError, "INVALID_FILTER").ConfigureAwait(false);
            return;
        }

        var pageSize = DefaultPageSize;
        var sizeText = request.Query["page_size"].ToString();
        if (sizeText.Length > 0 && (!int.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize)
            || pageSize is < 1 or > MaxPageSize))
        {
            await BadRequest(call, $"page_size must be a whole number from 1 to {MaxPageSize}.", "INVALID_PAGE_SIZE").ConfigureAwait(false);
            return;
        }

        if (!PageToken.TryRead(request.Query["page_token"], out var afterId))
        {
            await BadRequest(call, "page_token is not one this server issued.", "INVALID_PAGE_TOKEN").ConfigureAwait(false);
            return;
        }

        // Narrow the query to what the caller may see.
        var caller = call.Caller;
        if (!caller.IsRootAdmin)
        {
            if (kind == ApiKeyKind.Team || query.OwnerUserId != caller.UserId)
            {
                if (!caller.IsTeamAdmin && kind == ApiKeyKind.Personal && query.OwnerUserId is null)
                {
                    query = query with { OwnerUserId = caller.UserId };
                }
                else if (!caller.IsTeamAdmin || (query.TeamId is not null && query.TeamId != caller.TeamId))
                {
                    await Forbidden(call, "You may list only the keys of your own team.").ConfigureAwait(false);
                    return;
                }
                else
                {
                    query = query with { TeamId = caller.TeamId };
                }
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

        var next = page.HasMore && page.Items.Count > 0 ? PageToken.Create(page.Items[^1].Id) : string.Empty;
        await Ok(call, new ApiKeyListResponse(values, next), VezaJsonContext.Default.ApiKeyListResponse).ConfigureAwait(false);
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
            await BadRequest(call, "name is required: 1 to 128 characters, no control characters or surrounding spaces.", "INVALID_NAME").ConfigureAwait(false);
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
            var roles = await call.Directory.GetRolesAsync(caller.UserId!, teamId, call.Aborted).ConfigureAwait(false);
            if (roles.Count == 0)
            {
                await Audited(call, "api_key.create", "permission_denied", null, teamId).ConfigureAwait(false);
                await Forbidden(call, "A personal key can be created only for a team you are a member of.").ConfigureAwait(false);
                return;
            }
        }

        var created = await call.Keys.CreateAsync(kind, body.Name!, teamId, kind == ApiKeyKind.Personal ? caller.UserId : null,
            caller.UserId, call.Aborted).ConfigureAwait(false);
        if (created.Result == ApiKeyStoreResult.DuplicateName)
        {
            await Audited(call, "api_key.create", "already_exists", null, teamId).ConfigureAwait(false);
            await Conflict(call).ConfigureAwait(false);
            return;
        }

        if (created.Key is null)
        {
            throw new InvalidOperationException("The key store refused a new key id.");
        }

        await Audited(call, "api_key.create", "success", created.Key.Id, teamId).ConfigureAwait(false);
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
            await BadRequest(call, "name is required: 1 to 128 characters, no control characters or surrounding spaces.", "INVALID_NAME").ConfigureAwait(false);
            return;
        }

        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var result = await call.Keys.RenameAsync(id, body.Name!, call.Aborted).ConfigureAwait(false);
        await Audited(call, "api_key.rename", Outcome(result), id, key.TeamId).ConfigureAwait(false);
        switch (result)
        {
            case ApiKeyStoreResult.Success:
                var renamed = await call.Keys.FindAsync(id, call.Aborted).ConfigureAwait(false) ?? key with { Name = body.Name! };
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

    private static async Task SetStatusAsync(Call call, ApiKeyKind kind, string id, ApiKeyStatus status)
    {
        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var result = await call.Keys.SetStatusAsync(id, status, call.Aborted).ConfigureAwait(false);
        await Audited(call, status == ApiKeyStatus.Active ? "api_key.reinstate" : "api_key.revoke", Outcome(result), id, key.TeamId).ConfigureAwait(false);
        await (result == ApiKeyStoreResult.Success ? Ok(call, new EmptyResponse(), VezaJsonContext.Default.EmptyResponse) : NotFound(call)).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(Call call, ApiKeyKind kind, string id)
    {
        var key = await FindManageableAsync(call, kind, id).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var result = await call.Keys.DeleteAsync(id, call.Aborted).ConfigureAwait(false);
        await Audited(call, "api_key.delete", Outcome(result), id, key.TeamId).ConfigureAwait(false);
        await (result == ApiKeyStoreResult.Success ? Ok(call, new EmptyResponse(), VezaJsonContext.Default.EmptyResponse) : NotFound(call)).ConfigureAwait(false);
    }

    // Keys the caller may not manage answer 404 like missing ones, so ids of other teams' keys cannot be probed.
    private static async Task<ApiKeyRecord?> FindManageableAsync(Call call, ApiKeyKind kind, string id)
    {
        var key = await call.Keys.FindAsync(id, call.Aborted).ConfigureAwait(false);
        if (key is null || key.Kind != kind || !call.Caller.CanManage(key))
        {
            await NotFound(call).ConfigureAwait(false);
            return null;
        }

        return key;
    }

    private static async Task<T?> ReadBodyAsync<T>(Call call, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        var request = call.Http.Request;
        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            await VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.UnsupportedMediaType, "The body must be JSON (application/json).").ConfigureAwait(false);
            return null;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.PayloadTooLarge, $"The body must be at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, call.Aborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.PayloadTooLarge, $"The body must be at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var value = buffer.Length == 0 ? null : JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type);
            if (value is null)
            {
                await BadRequest(call, "The body must be a JSON object.", "MALFORMED_JSON").ConfigureAwait(false);
            }

            return value;
        }
        catch (JsonException)
        {
            await BadRequest(call, "The body is not valid JSON for this request.", "MALFORMED_JSON").ConfigureAwait(false);
            return null;
        }
    }

    private static string Outcome(ApiKeyStoreResult result) => result switch
    {
        ApiKeyStoreResult.Success => "success",
        ApiKeyStoreResult.DuplicateName => "already_exists",
        ApiKeyStoreResult.NotFound => "not_found",
        _ => "conflict",
    };

    private static ValueTask Audited(Call call, string action, string outcome, string? keyId, string? teamId)
        => call.Audit.WriteAsync(new VezaAuditEvent
        {
            Action = action,
            Outcome = outcome,
            Actor = call.Caller.Subject,
            ActorCredentialId = call.Caller.CredentialId,
            TargetKind = "api_key",
            TargetId = keyId,
            TeamId = teamId,
            ClientIp = call.Http.Connection.RemoteIpAddress?.ToString(),
            UserAgent = call.Http.Request.Headers.UserAgent.ToString(),
            Timestamp = call.Time.GetUtcNow(),
        }, CancellationToken.None);

    private static Task Ok<T>(Call call, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        call.Http.Response.StatusCode = StatusCodes.Status200OK;
        call.Http.Response.Headers.CacheControl = "no-store";
        return call.Http.Response.WriteAsJsonAsync(value, type, "application/json", call.Aborted);
    }

    private static Task BadRequest(Call call, string message, string reason)
        => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.InvalidArgument, message, reason);

    private static Task Forbidden(Call call, string message)
        => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.PermissionDenied, message);

    private static Task NotFound(Call call)
        => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.NotFound, "No key with that id.");

    private static Task Conflict(Call call)
        => VezaErrorWriter.WriteAsync(call.Http, VezaErrorKind.AlreadyExists, "A key with that name already exists in this scope.");
}
