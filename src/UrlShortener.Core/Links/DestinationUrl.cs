using System.Text;

namespace UrlShortener.Core.Links;

/// <summary>The rules a destination (or fallback) URL must meet, and its form as a Location header.</summary>
public static class DestinationUrl
{
    public const int MaxLength = 8192;

    /// <summary>
    /// Checks <paramref name="text"/> and gives its stored form: the URL as given, with any non-ASCII
    /// host turned into Punycode and any other non-ASCII character percent-encoded, so that it can be
    /// sent in a Location header unchanged.
    /// </summary>
    /// <param name="text">The URL as the client sent it.</param>
    /// <param name="own">Where this shortener answers; links there are refused.</param>
    /// <param name="normalized">The stored form when valid.</param>
    /// <returns>Why the URL is refused, or null.</returns>
    public static string? Check(string text, OwnHosts own, out string normalized)
    {
        normalized = string.Empty;
        if (text.Length == 0)
        {
            return "must not be empty.";
        }

        if (text.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters long.";
        }

        foreach (var c in text)
        {
            if (c <= ' ' || c == '\u007f')
            {
                return "must not contain spaces or control characters; percent-encode them.";
            }
        }

        // Checked on the text itself: on Unix, Uri reads "/path" as a file: URI.
        if (!text.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && !text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return SchemeOf(text) switch
            {
                "http" or "https" => "must start with http:// or https:// followed by a host.",
                { } scheme => $"scheme '{scheme}' is not allowed; use http or https.",
                null => "must be an absolute http or https URL.",
            };
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "must be an absolute http or https URL with a valid host.";
        }

        if (uri.UserInfo.Length > 0 || HasUserInfo(text))
        {
            return "must not contain credentials.";
        }

        if (own.Contains(uri))
        {
            return "must not point back to this shortener (a short link to it could loop).";
        }

        normalized = ToAscii(text, uri);
        return normalized.Length > MaxLength ? $"must be at most {MaxLength} characters long once encoded." : null;
    }

    // RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    private static string? SchemeOf(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 1 || !char.IsAsciiLetter(text[0]))
        {
            return null;
        }

        var scheme = text[..colon];
        return scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? scheme.ToLowerInvariant() : null;
    }

    private static bool HasUserInfo(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = text.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? text.AsSpan(start) : text.AsSpan(start, end - start);
        return authority.Contains('@');
    }

    private static string ToAscii(string text, Uri uri)
    {
        if (Ascii.IsValid(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 32);
        builder.Append(uri.Scheme).Append("://").Append(uri.IdnHost);
        if (!uri.IsDefaultPort)
        {
            builder.Append(':').Append(uri.Port);
        }

        var start = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var rest = text.IndexOfAny(['/', '?', '#'], start);
        if (rest >= 0)
        {
            foreach (var rune in text.AsSpan(rest).EnumerateRunes())
            {
                if (rune.IsAscii)
                {
                    builder.Append((char)rune.Value);
                }
                else
                {
                    builder.AppendEscaped(rune);
                }
            }
        }

        return builder.ToString();
    }
}
