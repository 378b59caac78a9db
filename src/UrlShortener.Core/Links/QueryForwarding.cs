using System.Text;

namespace UrlShortener.Core.Links;

/// <summary>
/// Merges the query a visitor brought into the destination's own query. Parameters the visitor sent
/// win over same-named ones of the destination (utm tags are the usual case); the destination's
/// other parameters, their order and its fragment stay as they are.
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

        var incoming = SplitPairs(incomingQuery.ToString());
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

    private static List<string> SplitPairs(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string NameOf(string pair)
    {
        var equalsAt = pair.IndexOf('=', StringComparison.Ordinal);
        var name = equalsAt < 0 ? pair : pair[..equalsAt];
        return Uri.UnescapeDataString(name.Replace('+', ' '));
    }
}
