using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Veza.Authentication.Administration.Rendering;

/// <summary>HTML that is already safe to write as it is: made by <see cref="Html"/>, never from a caller's text.</summary>
/// <param name="Value">The markup.</param>
internal readonly record struct Markup(string Value)
{
    public static Markup Empty { get; } = new(string.Empty);

    public override string ToString() => Value;
}

/// <summary>
/// Builds a page. Text put into an interpolated string (<c>html.Add($"&lt;td&gt;{key.Name}&lt;/td&gt;")</c>) is
/// HTML-encoded, so names, URIs and errors from a store cannot become markup; only <see cref="Markup"/> values (made
/// here) go in as they are.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _text;

    public Html(int capacity = 4096) => _text = new StringBuilder(capacity);

    /// <summary>Appends the interpolated string, encoding every value in it.</summary>
    public Html Add([InterpolatedStringHandlerArgument("")] ref Handler content)
    {
        _ = content;
        return this;
    }

    /// <summary>Appends markup made elsewhere.</summary>
    public Html Add(Markup markup)
    {
        _text.Append(markup.Value);
        return this;
    }

    /// <summary>Appends markup for each item.</summary>
    public Html AddEach<T>(IEnumerable<T> items, Func<T, Markup> render)
    {
        foreach (var item in items)
        {
            _text.Append(render(item).Value);
        }

        return this;
    }

    public Markup ToMarkup() => new(_text.ToString());

    public override string ToString() => _text.ToString();

    /// <summary>A fragment from one interpolated string, every value encoded.</summary>
    public static Markup Of(ref Handler content) => content.ToMarkup();

    /// <summary>Encoded text, for a value that stands alone.</summary>
    public static Markup Text(string? text) => new(HtmlEncoder.Default.Encode(text ?? string.Empty));

    /// <summary>A point in time, shown in UTC to the minute, with its exact value for machines.</summary>
    public static Markup When(DateTimeOffset? when)
        => when is { } at
            ? Of($"<time datetime=\"{at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\">{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</time>")
            : Of($"<span class=\"muted\">never</span>");

    /// <summary>Writes literal parts as they are and encodes every value.</summary>
    [InterpolatedStringHandler]
    public readonly ref struct Handler
    {
        private readonly StringBuilder _builder;

        public Handler(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + (formattedCount * 16));

        public Handler(int literalLength, int formattedCount, Html html)
        {
            _ = literalLength;
            _ = formattedCount;
            _builder = html._text;
        }

        public void AppendLiteral(string value) => _builder.Append(value);

        public void AppendFormatted(string? value) => _builder.Append(HtmlEncoder.Default.Encode(value ?? string.Empty));

        public void AppendFormatted(Markup value) => _builder.Append(value.Value);

        public void AppendFormatted(int value) => _builder.Append(value.ToString(CultureInfo.InvariantCulture));

        public void AppendFormatted<T>(T value)
            => _builder.Append(HtmlEncoder.Default.Encode(value is IFormattable formattable
                ? formattable.ToString(null, CultureInfo.InvariantCulture)
                : value?.ToString() ?? string.Empty));

        public Markup ToMarkup() => new(_builder.ToString());
    }
}
