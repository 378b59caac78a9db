using System.Text;

namespace UrlShortener.Core.Links;

/// <summary>RFC 3986 percent-encoding of one character as its UTF-8 bytes.</summary>
internal static class PercentEncoding
{
    public static StringBuilder AppendEscaped(this StringBuilder builder, Rune rune)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var count = rune.EncodeToUtf8(utf8);
        for (var i = 0; i < count; i++)
        {
            builder.Append('%').Append(utf8[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder;
    }
}
