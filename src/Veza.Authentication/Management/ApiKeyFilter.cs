using System.Buffers.Text;
using System.Text;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// The list filter of the management API: comparisons joined by <c>and</c>, each <c>field eq "value"</c>.
/// Fields: <c>team_id</c>, <c>user_id</c> (personal keys), <c>name</c>, <c>status</c> (<c>ACTIVE</c>/<c>INACTIVE</c>,
/// quoted or bare). Example: <c>team_id eq "t1" and status eq "ACTIVE"</c>.
/// </summary>
internal static class ApiKeyFilter
{
    public const int MaxLength = 1024;

    public static bool TryParse(string? filter, ApiKeyKind kind, out ApiKeyQuery query, out string error)
    {
        query = new ApiKeyQuery { Kind = kind };
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(filter))
        {
            return true;
        }

        if (filter.Length > MaxLength)
        {
            error = $"filter is longer than {MaxLength} characters.";
            return false;
        }

        var pos = 0;
        while (true)
        {
            if (!TryReadWord(filter, ref pos, out var field) || !TryReadWord(filter, ref pos, out var op))
            {
                error = "filter must be comparisons of the form: field eq \"value\", joined by and.";
                return false;
            }

            if (!op.Equals("eq", StringComparison.OrdinalIgnoreCase))
            {
                error = $"filter operator '{op}' is not supported; use eq.";
                return false;
            }

            if (!TryReadValue(filter, ref pos, out var value))
            {
                error = $"filter value for '{field}' must be a double-quoted string.";
                return false;
            }

            switch (field)
            {
                case "team_id" when query.TeamId is null:
                    query = query with { TeamId = value };
                    break;
                case "user_id" when kind == ApiKeyKind.Personal && query.OwnerUserId is null:
                    query = query with { OwnerUserId = value };
                    break;
                case "name" when query.Name is null:
                    query = query with { Name = value };
                    break;
                case "status" when query.Status is null:
                    if (!ApiKeyResourceMapper.TryParseStatus(value, out var status))
                    {
                        error = "filter status must be ACTIVE or INACTIVE.";
                        return false;
                    }

                    query = query with { Status = status };
                    break;
                default:
                    error = $"filter field '{field}' is not supported or repeated; use team_id, name, status"
                        + (kind == ApiKeyKind.Personal ? " or user_id." : ".");
                    return false;
            }

            SkipSpaces(filter, ref pos);
            if (pos == filter.Length)
            {
                return true;
            }

            if (!TryReadWord(filter, ref pos, out var joiner) || !joiner.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                error = "filter comparisons must be joined by and.";
                return false;
            }
        }
    }

    private static void SkipSpaces(string s, ref int pos)
    {
        while (pos < s.Length && s[pos] == ' ')
        {
            pos++;
        }
    }

    private static bool TryReadWord(string s, ref int pos, out string word)
    {
        SkipSpaces(s, ref pos);
        var start = pos;
        while (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] == '_'))
        {
            pos++;
        }

        word = s[start..pos];
        return word.Length > 0;
    }

    private static bool TryReadValue(string s, ref int pos, out string value)
    {
        SkipSpaces(s, ref pos);
        if (pos < s.Length && s[pos] != '"')
        {
            return TryReadWord(s, ref pos, out value);
        }

        value = string.Empty;
        if (pos >= s.Length)
        {
            return false;
        }

        var sb = new StringBuilder();
        pos++;
        while (pos < s.Length)
        {
            var c = s[pos++];
            if (c == '"')
            {
                value = sb.ToString();
                return true;
            }

            if (c == '\\' && pos < s.Length)
            {
                c = s[pos++];
            }

            sb.Append(c);
        }

        return false;
    }
}

/// <summary>Opaque page tokens: base64url of the last id on the previous page.</summary>
internal static class PageToken
{
    public static string Create(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("v1:" + lastId));

    public static bool TryRead(string? token, out string? afterId) => TryRead(token, id => ApiKeyFormat.IsValidKeyId(id), out afterId);

    public static bool TryRead(string? token, Func<string, bool> isId, out string? afterId)
    {
        afterId = null;
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        if (token.Length > 256 || !Base64Url.IsValid(token))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        if (!text.StartsWith("v1:", StringComparison.Ordinal) || !isId(text[3..]))
        {
            return false;
        }

        afterId = text[3..];
        return true;
    }
}
