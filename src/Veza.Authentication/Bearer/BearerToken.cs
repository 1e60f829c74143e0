using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Veza.Authentication.Bearer;

/// <summary>Reads the token from <c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750 §2.1).</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer";

    /// <summary>
    /// Finds the bearer token of a request. Returns <see langword="false"/> when there is no Authorization header
    /// or it uses another scheme; <paramref name="duplicated"/> is set when the header appears more than once.
    /// <paramref name="header"/> is the header's value, of which <paramref name="token"/> is a part.
    /// </summary>
    public static bool TryGet(HttpRequest request, out string header, out ReadOnlySpan<char> token, out bool duplicated)
    {
        token = default;
        header = string.Empty;
        StringValues values = request.Headers.Authorization;
        duplicated = values.Count > 1;
        if (values.Count != 1)
        {
            return false;
        }

        header = values[0] ?? string.Empty;
        return TryParse(header, out token);
    }

    public static bool TryParse(string? header, out ReadOnlySpan<char> token)
    {
        token = default;
        if (header is null || header.Length <= Scheme.Length
            || !header.AsSpan(0, Scheme.Length).Equals(Scheme, StringComparison.OrdinalIgnoreCase)
            || header[Scheme.Length] != ' ')
        {
            return false;
        }

        token = header.AsSpan(Scheme.Length + 1).Trim(' ');
        return true;
    }
}
