using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Veza.Authentication.Hosting;

/// <summary>
/// The one stylesheet of the library's pages (the consent page here, the administration pages in their package), read
/// once from the assembly. It is served as a file of the site, so the pages' Content-Security-Policy needs no inline
/// style.
/// </summary>
internal static class VezaStyleSheet
{
    private static readonly Lazy<(byte[] Bytes, string ETag)> Content = new(Load);

    /// <summary>The file name the pages link to, relative to where each serves it.</summary>
    public const string FileName = "veza.css";

    /// <summary>A short fingerprint of the content, for a link that changes when the stylesheet does.</summary>
    public static string Version => Content.Value.ETag[1..9];

    /// <summary>Answers a request for the stylesheet: 304 when the client has this version, else the file.</summary>
    public static Task WriteAsync(HttpContext context) => WriteAsync(context, Content.Value.Bytes, Content.Value.ETag, "text/css; charset=utf-8");

    /// <summary>Answers a request for a static asset with validation by ETag and a day's caching.</summary>
    internal static Task WriteAsync(HttpContext context, byte[] bytes, string etag, string contentType)
    {
        var response = context.Response;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "public, max-age=86400";
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch.ToString().Contains(etag, StringComparison.Ordinal))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    /// <summary>Reads an embedded file of an assembly, with its ETag (a quoted hash of the content).</summary>
    internal static (byte[] Bytes, string ETag) ReadResource(System.Reflection.Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded file {name} is missing from {assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return (bytes, new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"").Tag.ToString());
    }

    private static (byte[], string) Load() => ReadResource(typeof(VezaStyleSheet).Assembly, "Veza.Authentication.veza.css");
}
