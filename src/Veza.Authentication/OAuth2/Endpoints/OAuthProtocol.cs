using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>An RFC 6749 §5.2 error: the HTTP status, the <c>error</c> code and its <c>error_description</c>.</summary>
internal sealed record OAuthError(int Status, string Error, string Description)
{
    public static OAuthError InvalidRequest(string description) => new(400, OAuthConstants.Errors.InvalidRequest, description);

    public static OAuthError InvalidClient(string description = "Client authentication failed.") => new(401, OAuthConstants.Errors.InvalidClient, description);

    public static OAuthError TemporarilyUnavailable(string description, int status = 503) => new(status, OAuthConstants.Errors.TemporarilyUnavailable, description);
}

/// <summary>
/// Reading OAuth2 requests and writing OAuth2 responses: form bodies with limits and no duplicated parameters, client
/// authentication by <c>client_secret_basic</c> or <c>client_secret_post</c> (never both), and JSON answers that
/// are never cached. These endpoints answer RFC 6749 errors, not the management API's error shape.
/// </summary>
internal static class OAuthProtocol
{
    private const int MaxParameters = 32;

    /// <summary>Reads a POSTed <c>application/x-www-form-urlencoded</c> body; any other request is <c>invalid_request</c>.</summary>
    public static async Task<(Dictionary<string, string>? Form, OAuthError? Error)> ReadFormAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return (null, OAuthError.InvalidRequest("The request must be a POST."));
        }

        if (!MediaTypeIsForm(request.ContentType))
        {
            return (null, OAuthError.InvalidRequest("The body must be application/x-www-form-urlencoded."));
        }

        Dictionary<string, StringValues> raw;
        try
        {
            using var reader = new FormReader(request.Body)
            {
                ValueCountLimit = MaxParameters,
                KeyLengthLimit = 64,
                ValueLengthLimit = 8192,
            };
            raw = await reader.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            // Too large or malformed, or the client stopped sending the body: a bad request, not a server error.
            return (null, OAuthError.InvalidRequest("The body is too large, malformed or incomplete."));
        }

        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in raw)
        {
            if (values.Count != 1)
            {
                return (null, OAuthError.InvalidRequest($"The parameter '{Printable(name)}' is repeated."));
            }

            // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
            if (!string.IsNullOrEmpty(values[0]))
            {
                form[name] = values[0]!;
            }
        }

        return (form, null);
    }

    /// <summary>
    /// Finds the client's credentials: HTTP Basic (RFC 6749 §2.3.1, id and secret form-encoded) or
    /// <c>client_id</c> and <c>client_secret</c> in the body. Using both, or a Basic header that does not decode,
    /// is <c>invalid_request</c>; neither is <c>invalid_client</c>.
    /// </summary>
    public static (string? ClientId, string? Secret, bool UsedBasic, OAuthError? Error) ReadClient(HttpRequest request, Dictionary<string, string> form)
    {
        var authorization = request.Headers.Authorization;
        form.TryGetValue(OAuthConstants.Parameters.ClientId, out var postedId);
        form.TryGetValue(OAuthConstants.Parameters.ClientSecret, out var postedSecret);
        if (authorization.Count > 1)
        {
            return (null, null, false, OAuthError.InvalidRequest("The request has more than one Authorization header."));
        }

        var header = authorization.Count == 1 ? authorization[0] : null;
        if (header is not null && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (postedSecret is not null)
            {
                return (null, null, true, OAuthError.InvalidRequest("Use one client authentication method, not both."));
            }

            if (!TryDecodeBasic(header.AsSpan(6).Trim(' '), out var id, out var secret))
            {
                return (null, null, true, OAuthError.InvalidRequest("The Basic credentials are malformed."));
            }

            if (postedId is not null && postedId != id)
            {
                return (null, null, true, OAuthError.InvalidRequest("client_id does not match the Basic credentials."));
            }

            return (id, secret, true, null);
        }

        if (header is not null)
        {
            return (null, null, false, OAuthError.InvalidRequest("Unsupported Authorization scheme; use Basic or client_secret_post."));
        }

        if (postedId is null)
        {
            return (null, null, false, OAuthError.InvalidClient("Client authentication is required."));
        }

        // A client_id without a secret is a public app's identification (RFC 6749 §3.2.1); the caller decides whether
        // the endpoint accepts it.

        return (postedId, postedSecret, false, null);
    }

    public static Task WriteErrorAsync(HttpContext context, OAuthError error, bool basicChallenge)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        NoStore(response);
        if (error.Status == 401 && basicChallenge)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"veza\", charset=\"UTF-8\"";
        }

        return WriteJsonAsync(context, json =>
        {
            json.WriteString(OAuthConstants.Parameters.Error, error.Error);
            json.WriteString(OAuthConstants.Parameters.ErrorDescription, error.Description);
        });
    }

    /// <summary>The scopes of a <c>scope</c> parameter (RFC 6749 §3.3): space-separated, each once.</summary>
    public static string[] ReadScopes(string scope) => [.. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];

    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    public static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json;charset=UTF-8";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static bool MediaTypeIsForm(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var media = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryDecodeBasic(ReadOnlySpan<char> encoded, out string id, out string secret)
    {
        id = secret = string.Empty;
        if (encoded.IsEmpty || encoded.Length > 2048)
        {
            return false;
        }

        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var written))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        // RFC 6749 §2.3.1: both halves are application/x-www-form-urlencoded.
        id = FormDecode(decoded[..colon]);
        secret = FormDecode(decoded[(colon + 1)..]);
        return id.Length > 0 && secret.Length > 0;
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    // Parameter names are echoed in errors only as printable ASCII, and short.
    private static string Printable(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, 64));
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, 64)))
        {
            builder.Append(c is >= ' ' and < (char)127 && c != '\'' ? c : '?');
        }

        return builder.ToString();
    }
}
