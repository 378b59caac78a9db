using System.Text;

namespace UrlShortener.Core.Links;

/// <summary>
/// Merges the query a visitor brought into the destination's own query. Parameters the visitor sent
/// win over same-named ones of the destination (utm tags are the usual case); the destination's
/// other parameters, their order and its fragment stay as they are. A visitor's parameter with a
/// control character is left out (it could never be a header value); other characters a URL may not
/// hold are percent-encoded, so that the result is always a valid Location.
/// </summary>
public static class QueryForwarding
{
    /// <param name="destination">The stored destination URL.</param>
    /// <param name="incomingQuery">The visitor's raw query, with or without its leading '?'.</param>
    public static string Merge(string destination, ReadOnlySpan<char> incomingQuery)
    {
        if (incomingQuery.StartsWith("?"))
        {
            incomingQuery = incomingQuery[1..];
        }

        var incoming = SplitPairs(incomingQuery.ToString())
            .Where(pair => !pair.Any(c => char.IsControl(c)))
            .Select(EncodeUnsafe)
            .ToList();
        if (incoming.Count == 0)
        {
            return destination;
        }

        var hashAt = destination.IndexOf('#', StringComparison.Ordinal);
        var fragment = hashAt < 0 ? string.Empty : destination[hashAt..];
        var beforeFragment = hashAt < 0 ? destination : destination[..hashAt];
        var queryAt = beforeFragment.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? beforeFragment : beforeFragment[..queryAt];
        var own = queryAt < 0 ? [] : SplitPairs(beforeFragment[(queryAt + 1)..]);

        var overridden = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in incoming)
        {
            overridden.Add(NameOf(pair));
        }

        var builder = new StringBuilder(destination.Length + incomingQuery.Length + 2).Append(path);
        var separator = '?';
        foreach (var pair in own.Where(p => !overridden.Contains(NameOf(p))).Concat(incoming))
        {
            builder.Append(separator).Append(pair);
            separator = '&';
        }

        return builder.Append(fragment).ToString();
    }

    private static string EncodeUnsafe(string pair)
    {
        if (!pair.Any(IsUnsafe) && !HasStrayPercent(pair))
        {
            return pair;
        }

        var builder = new StringBuilder(pair.Length + 16);
        var index = 0;
        foreach (var rune in pair.EnumerateRunes())
        {
            var keep = rune.IsAscii && !IsUnsafe((char)rune.Value) && (rune.Value != '%' || IsEscape(pair, index));
            index += rune.Utf16SequenceLength;
            if (keep)
            {
                builder.Append((char)rune.Value);
            }
            else
            {
                builder.AppendEscaped(rune);
            }
        }

        return builder.ToString();
    }

    // Not allowed unescaped in a URI query (RFC 3986), or not ASCII. The visitor's own escapes stay.
    private static bool IsUnsafe(char c) => c > '~' || c <= ' ' || c is '"' or '#' or '<' or '>' or '[' or ']' or '\\' or '^' or '`' or '{' or '|' or '}';

    private static bool HasStrayPercent(string pair)
    {
        for (var i = pair.IndexOf('%', StringComparison.Ordinal); i >= 0; i = pair.IndexOf('%', i + 1))
        {
            if (!IsEscape(pair, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsEscape(string text, int percentAt) =>
        percentAt + 2 < text.Length && char.IsAsciiHexDigit(text[percentAt + 1]) && char.IsAsciiHexDigit(text[percentAt + 2]);

    private static List<string> SplitPairs(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string NameOf(string pair)
    {
        var equalsAt = pair.IndexOf('=', StringComparison.Ordinal);
        var name = equalsAt < 0 ? pair : pair[..equalsAt];
        return Uri.UnescapeDataString(name.Replace('+', ' '));
    }
}
