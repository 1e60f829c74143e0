using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Veza.Authentication.OAuth2.Grants;

/// <summary>Proof Key for Code Exchange (RFC 7636) with the S256 method, the only one the server accepts.</summary>
internal static class Pkce
{
    /// <summary>Whether a code verifier or challenge has RFC 7636's form: 43 to 128 unreserved characters.</summary>
    public static bool IsValue(string? value)
    {
        if (value is null || value.Length is < 43 or > 128)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="verifier"/> is the one <paramref name="challenge"/> was made from (RFC 7636 §4.6), in constant time.</summary>
    public static bool Matches(string verifier, string challenge)
    {
        var computed = Encoding.ASCII.GetBytes(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        return CryptographicOperations.FixedTimeEquals(computed, Encoding.ASCII.GetBytes(challenge));
    }
}
