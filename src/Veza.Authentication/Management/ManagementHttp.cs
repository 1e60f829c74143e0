using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veza.Authentication.Credentials;
using Veza.Authentication.Diagnostics;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Secrets;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// What every management endpoint shares: who is calling, JSON bodies (content type, size, the source-generated
/// context), paging, 405 answers, and errors — 503 when a store is unavailable, a real 500 for anything else, never
/// a stack trace.
/// </summary>
internal static class ManagementHttp
{
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>The page size when none (or 0) is asked for, and the most one page holds, as Veza documents.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Resolves the caller, with the request for the audit trail, and runs the action; the services it calls
    /// decide what the caller may do.</summary>
    public static async Task RunAsync(HttpContext http, string what, Func<VezaCaller, Task> action)
    {
        var services = http.RequestServices;
        try
        {
            var caller = await services.GetRequiredService<VezaCallerFactory>().FromPrincipalAsync(http.User, http.RequestAborted).ConfigureAwait(false);
            if (caller is null)
            {
                await VezaErrorWriter.WriteAsync(http, VezaErrorKind.PermissionDenied, $"Only a user's credential can manage {what}.").ConfigureAwait(false);
                return;
            }

            await action(caller.WithRequest(http)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (SecretCheckBusyException) when (!http.Response.HasStarted)
        {
            http.Response.Headers.RetryAfter = "1";
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.Unavailable, "The server is busy hashing secrets. Try again shortly.",
                "SECRET_CHECKS_SATURATED").ConfigureAwait(false);
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            Log.ManagementFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ManagementHttp)), ex);
            if (StoreFailures.IsStoreFailure(ex))
            {
                http.Response.Headers.RetryAfter = "5";
                await VezaErrorWriter.WriteAsync(http, VezaErrorKind.Unavailable, "A store is unavailable. Try again later.").ConfigureAwait(false);
            }
            else
            {
                await VezaErrorWriter.WriteAsync(http, VezaErrorKind.Internal, "The request failed unexpectedly.").ConfigureAwait(false);
            }
        }
    }

    public static Task BadRequest(HttpContext http, string message, string reason)
        => VezaErrorWriter.WriteAsync(http, VezaErrorKind.InvalidArgument, message, reason);

    public static Task Forbidden(HttpContext http, string message)
        => VezaErrorWriter.WriteAsync(http, VezaErrorKind.PermissionDenied, message);

    public static Task Ok<T>(HttpContext http, T value, JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsJsonAsync(value, type, contentType: "application/json", http.RequestAborted);
    }

    /// <summary>Reads a JSON body of at most <see cref="MaxBodyBytes"/>; on failure the error has been written.</summary>
    public static async Task<T?> ReadBodyAsync<T>(HttpContext http, JsonTypeInfo<T> type) where T : class
    {
        var request = http.Request;
        if (!request.HasJsonContentType())
        {
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.UnsupportedMediaType, "The body must be JSON (application/json).").ConfigureAwait(false);
            return null;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await VezaErrorWriter.WriteAsync(http, VezaErrorKind.PayloadTooLarge, $"The body must be at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await VezaErrorWriter.WriteAsync(http, VezaErrorKind.PayloadTooLarge, $"The body must be at most {MaxBodyBytes} bytes.").ConfigureAwait(false);
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var value = buffer.Length == 0 ? null : JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type);
            if (value is null)
            {
                await BadRequest(http, "The body must be a JSON object.", "MALFORMED_JSON").ConfigureAwait(false);
            }

            return value;
        }
        catch (JsonException)
        {
            await BadRequest(http, "The body is not valid JSON for this request.", "MALFORMED_JSON").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Reads <c>page_size</c> (0 or nothing means <see cref="MaxPageSize"/>, more is read as the maximum) and
    /// <c>page_token</c>; on failure the error has been written and <c>Ok</c> is false.
    /// </summary>
    public static async Task<(bool Ok, int PageSize, string? AfterId)> ReadPageAsync(HttpContext http, Func<string, bool> isId)
    {
        var pageSize = MaxPageSize;
        var sizeText = http.Request.Query["page_size"].ToString();
        if (sizeText.Length > 0)
        {
            if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var asked))
            {
                await BadRequest(http, $"page_size must be a whole number from 0 to {MaxPageSize}.", "INVALID_PAGE_SIZE").ConfigureAwait(false);
                return (false, 0, null);
            }

            pageSize = asked is 0 or > MaxPageSize ? MaxPageSize : asked;
        }

        if (!PageToken.TryRead(http.Request.Query["page_token"], isId, out var afterId))
        {
            await BadRequest(http, "page_token is not one this server issued.", "INVALID_PAGE_TOKEN").ConfigureAwait(false);
            return (false, 0, null);
        }

        return (true, pageSize, afterId);
    }

    /// <summary>
    /// Answers 405 with <c>Allow</c> for other methods on <paramref name="pattern"/>. An endpoint without method
    /// metadata loses to the ones with methods for the same pattern, so it only sees the rest.
    /// </summary>
    public static void MethodNotAllowed(IEndpointRouteBuilder group, string pattern, string allow)
        => group.Map(pattern, (HttpContext c) =>
        {
            c.Response.Headers.Allow = allow;
            return VezaErrorWriter.WriteAsync(c, VezaErrorKind.MethodNotAllowed, $"This resource accepts {allow} only.");
        });

    /// <summary>Unknown paths under a group answer the JSON error shape too.</summary>
    public static void NotFoundForTheRest(IEndpointRouteBuilder group)
        => group.Map("{**rest}", (HttpContext c) => VezaErrorWriter.WriteAsync(c, VezaErrorKind.NotFound, "No such resource.", "UNKNOWN_ROUTE"));

    /// <summary>
    /// The routes of an OAuth2 registration resource (clients, apps): list and create, get, edit (PATCH) and delete,
    /// <c>{id}:revoke</c> and <c>{id}:reinstate</c>, and the secrets; a wrong method answers 405, an unknown path 404.
    /// </summary>
    public static void MapRegistrations(IEndpointRouteBuilder group, string path, string what, RegistrationHandlers handlers)
    {
        var routes = group.MapGroup(path);
#pragma warning disable ASP0022
        routes.MapGet("", (HttpContext c) => RunAsync(c, what, caller => handlers.List(c, caller)));
        routes.MapPost("", (HttpContext c) => RunAsync(c, what, caller => handlers.Create(c, caller)));
        routes.MapGet("{id}", (HttpContext c, string id) => RunAsync(c, what, caller => handlers.Get(c, caller, id)));
        routes.MapPatch("{id}", (HttpContext c, string id) => RunAsync(c, what, caller => handlers.Edit(c, caller, id)));
        routes.MapDelete("{id}", (HttpContext c, string id) => RunAsync(c, what, caller => handlers.Delete(c, caller, id)));
        routes.MapPost("{id}:revoke", (HttpContext c, string id) => RunAsync(c, what, caller => handlers.Revoke(c, caller, id)));
        routes.MapPost("{id}:reinstate", (HttpContext c, string id) => RunAsync(c, what, caller => handlers.Reinstate(c, caller, id)));
        routes.MapPost("{id}/secrets", (HttpContext c, string id) => RunAsync(c, what, caller => handlers.AddSecret(c, caller, id)));
        routes.MapDelete("{id}/secrets/{secretId}", (HttpContext c, string id, string secretId) =>
            RunAsync(c, what, caller => handlers.RemoveSecret(c, caller, id, secretId)));

        MethodNotAllowed(routes, "", "GET, POST");
        MethodNotAllowed(routes, "{id}", "GET, PATCH, DELETE");
        MethodNotAllowed(routes, "{id}:revoke", "POST");
        MethodNotAllowed(routes, "{id}:reinstate", "POST");
        MethodNotAllowed(routes, "{id}/secrets", "POST");
        MethodNotAllowed(routes, "{id}/secrets/{secretId}", "DELETE");
        NotFoundForTheRest(routes);
#pragma warning restore ASP0022
    }

    /// <summary>The body of "add a secret": optional, with an optional expiry. Null when a bad body was answered.</summary>
    public static async Task<AddClientSecretRequest?> ReadSecretRequestAsync(HttpContext http)
        => http.Request.ContentLength is 0 || (http.Request.ContentLength is null && !http.Request.HasJsonContentType())
            ? new AddClientSecretRequest(null)
            : await ReadBodyAsync(http, VezaJsonContext.Default.AddClientSecretRequest).ConfigureAwait(false);
}

/// <summary>What each route of a registration resource does; see <see cref="ManagementHttp.MapRegistrations"/>.</summary>
internal sealed record RegistrationHandlers(
    Func<HttpContext, VezaCaller, Task> List,
    Func<HttpContext, VezaCaller, Task> Create,
    Func<HttpContext, VezaCaller, string, Task> Get,
    Func<HttpContext, VezaCaller, string, Task> Edit,
    Func<HttpContext, VezaCaller, string, Task> Delete,
    Func<HttpContext, VezaCaller, string, Task> Revoke,
    Func<HttpContext, VezaCaller, string, Task> Reinstate,
    Func<HttpContext, VezaCaller, string, Task> AddSecret,
    Func<HttpContext, VezaCaller, string, string, Task> RemoveSecret);
