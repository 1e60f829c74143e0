using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Veza.Authentication.Hosting;

/// <summary>
/// The one JSON error shape of the library's HTTP answers outside the OAuth2 endpoints, in the style of
/// google.rpc.Status: <c>{ "code", "message", "details": [ { "@type", "reason", "domain", "metadata" } ],
/// "request_id", "timestamp" }</c>. <c>code</c> is the gRPC status code; the HTTP status matches it.
/// </summary>
internal sealed record VezaError(
    int Code,
    string Message,
    IReadOnlyList<VezaErrorDetail> Details,
    string RequestId,
    string Timestamp);

internal sealed record VezaErrorDetail(
    [property: JsonPropertyName("@type")] string Type,
    string Reason,
    string Domain,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Metadata);

/// <summary>The errors the library answers with: HTTP status, gRPC code and a stable reason id.</summary>
internal readonly record struct VezaErrorKind(int HttpStatus, int RpcCode, string Reason)
{
    public static readonly VezaErrorKind Unauthenticated = new(401, 16, "UNAUTHENTICATED");
    public static readonly VezaErrorKind PermissionDenied = new(403, 7, "PERMISSION_DENIED");
    public static readonly VezaErrorKind NotFound = new(404, 5, "NOT_FOUND");
    public static readonly VezaErrorKind MethodNotAllowed = new(405, 12, "METHOD_NOT_ALLOWED");
    public static readonly VezaErrorKind AlreadyExists = new(409, 6, "ALREADY_EXISTS");
    public static readonly VezaErrorKind InvalidArgument = new(400, 3, "INVALID_ARGUMENT");
    public static readonly VezaErrorKind FailedPrecondition = new(400, 9, "FAILED_PRECONDITION");
    public static readonly VezaErrorKind PayloadTooLarge = new(413, 3, "PAYLOAD_TOO_LARGE");
    public static readonly VezaErrorKind UnsupportedMediaType = new(415, 3, "UNSUPPORTED_MEDIA_TYPE");
    public static readonly VezaErrorKind ResourceExhausted = new(429, 8, "RESOURCE_EXHAUSTED");
    public static readonly VezaErrorKind Unavailable = new(503, 14, "UNAVAILABLE");
    public static readonly VezaErrorKind Internal = new(500, 13, "INTERNAL");
}

internal static class VezaErrorWriter
{
    public const string Domain = "veza.authentication";
    private const string ErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";

    public static Task WriteAsync(HttpContext context, VezaErrorKind kind, string message, string? reason = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var response = context.Response;
        response.StatusCode = kind.HttpStatus;
        response.Headers.CacheControl = "no-store";
        var time = context.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var error = new VezaError(
            kind.RpcCode,
            message,
            [new VezaErrorDetail(ErrorInfoType, reason ?? kind.Reason, Domain, metadata)],
            context.TraceIdentifier,
            FormatTimestamp(time.GetUtcNow()));
        return response.WriteAsJsonAsync(error, VezaErrorJsonContext.Default.VezaError, contentType: "application/json", context.RequestAborted);
    }

    /// <summary>RFC 3339 in UTC with millisecond precision, e.g. <c>2026-11-27T05:00:00.000Z</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The error shape, serialized without reflection, with the same options as the management API's bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VezaError))]
internal sealed partial class VezaErrorJsonContext : JsonSerializerContext;
