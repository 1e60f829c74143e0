using System.Globalization;
using System.Text;

namespace Veza.Authentication.ApiKeys;

/// <summary>
/// The one rule for the names of keys, OAuth2 clients and OAuth2 apps: well-formed UTF-16, 1 to 128 characters once
/// normalized (Unicode NFC), no control, format (zero-width, bidirectional overrides), private-use, unassigned or line
/// and paragraph separator characters, no leading or trailing white space. Names are stored normalized, so two names
/// that look the same are the same name.
/// </summary>
internal static class CredentialNames
{
    public const int MaxLength = 128;

    /// <summary>What a name must be, for error messages.</summary>
    public const string Rule =
        "1 to 128 characters, without control, format (zero-width, bidirectional) or line-separator characters or surrounding spaces";

    public static bool TryNormalize(string? name, out string normalized)
    {
        normalized = string.Empty;
        if (string.IsNullOrWhiteSpace(name) || name.Length > 4 * MaxLength)
        {
            return false;
        }

        var text = name.AsSpan();
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.OtherNotAssigned:
                    return false;
            }

            text = text[used..];
        }

        var result = name.Normalize(NormalizationForm.FormC);
        if (result.Length > MaxLength || result.Trim().Length != result.Length)
        {
            return false;
        }

        normalized = result;
        return true;
    }
}
