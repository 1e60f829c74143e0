using System.Net;
using Veza.Authentication.Stores;

namespace Veza.Authentication.OAuth2;

/// <summary>
/// Where an app may send its users back to. At registration a redirect URI must be absolute, without fragment or user
/// info, use the Base URL's scheme and lie in its host or a subdomain of it; a loopback URI is also accepted when the
/// app allows loopback redirects. At authorization the URI must equal a registered one character for character, with
/// two explicit exceptions an administrator turns on: any port for a registered loopback URI (RFC 8252 §7.3), and the
/// discouraged "allow any redirect URI".
/// </summary>
internal static partial class RedirectUriRules
{
    private static readonly System.Buffers.SearchValues<char> UriCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%");

    /// <summary>
    /// Whether <paramref name="value"/> is written only with the characters RFC 3986 allows in a URI (ASCII, no space
    /// or control character, '%' only before two hex digits). An internationalised host is accepted in its punycode
    /// form only, so the URI can go into a Location or Content-Security-Policy header as it is.
    /// </summary>
    public static bool IsUriText(string value)
    {
        if (value.AsSpan().ContainsAnyExcept(UriCharacters))
        {
            return false;
        }

        for (var i = value.IndexOf('%'); i >= 0; i = value.IndexOf('%', i + 1))
        {
            if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A Base URL: absolute https (http for a loopback host), no user info, query or fragment, RFC 3986 ASCII.</summary>
    public static bool TryParseBaseUrl(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri)
    {
        uri = null;
        if (!IsUriText(value) || !Uri.TryCreate(value, UriKind.Absolute, out uri) || !IsWebUri(uri) || uri.Query.Length > 0 || (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback))
        {
            uri = null;
            return false;
        }

        return true;
    }

    /// <summary>Why a redirect URI cannot be registered for an app with this Base URL, or <see langword="null"/>.</summary>
    public static string? CheckRegistered(string value, Uri baseUrl, bool allowLoopback)
    {
        if (!IsUriText(value))
        {
            return "must be written in RFC 3986 characters only (ASCII; an internationalised host in its punycode form, other characters percent-encoded)";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !IsWebUri(uri))
        {
            return "must be an absolute http(s) URI without user info or fragment";
        }

        if (allowLoopback && IsLoopbackLiteral(uri) && uri.Scheme == Uri.UriSchemeHttp)
        {
            return null;
        }

        if (uri.Scheme != baseUrl.Scheme)
        {
            return $"must use the Base URL's scheme ({baseUrl.Scheme})";
        }

        var host = uri.IdnHost;
        var domain = baseUrl.IdnHost;
        return string.Equals(host, domain, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"must lie in the Base URL's domain ({domain}) or a subdomain";
    }

    /// <summary>Whether an authorization request's redirect URI is one the app may use.</summary>
    public static bool IsAllowed(string requested, OAuthAppSettings app)
    {
        foreach (var registered in app.RedirectUris)
        {
            if (string.Equals(requested, registered, StringComparison.Ordinal))
            {
                return true;
            }
        }

        if (!Uri.TryCreate(requested, UriKind.Absolute, out var uri) || !IsWebUri(uri))
        {
            return false;
        }

        if (app.AllowLoopbackRedirectUris && LoopbackWithoutPort(requested) is { } tail)
        {
            // Any port, and everything else character for character as registered.
            foreach (var registered in app.RedirectUris)
            {
                if (string.Equals(LoopbackWithoutPort(registered), tail, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return app.AllowAnyRedirectUri;
    }

    private static bool IsWebUri(Uri uri)
        => (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0
            && !uri.OriginalString.Contains('#', StringComparison.Ordinal) && uri.Host.Length > 0;

    // RFC 8252 §8.3: loopback by IP literal, not "localhost".
    private static bool IsLoopbackLiteral(Uri uri) => uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
        && IPAddress.IsLoopback(ip);

    // "http://127.0.0.1:8400/cb" -> "http://127.0.0.1/cb"; null for anything that is not an http loopback literal.
    private static string? LoopbackWithoutPort(string value)
    {
        var match = LoopbackPattern().Match(value);
        return match.Success ? "http://" + match.Groups["host"].Value + match.Groups["tail"].Value : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^http://(?<host>127\.0\.0\.1|\[::1\])(?::[0-9]{1,5})?(?<tail>/[^#]*)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex LoopbackPattern();
}
