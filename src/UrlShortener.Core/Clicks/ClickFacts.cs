using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;

namespace UrlShortener.Core.Clicks;

/// <summary>How a visit's request facts become the fields of a <see cref="ClickEvent"/>.</summary>
public static class ClickFacts
{
    private const int HostMemoCapacity = 4096;
    private const int MaxPlainHostLength = 253;
    private static readonly SearchValues<char> PlainHostCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
    private static readonly ConcurrentDictionary<string, string> Hosts = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> HostsBySpan =
        Hosts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The referrer's host only, lower case, without "www."; null when absent or not an http(s) URL.</summary>
    /// <remarks>
    /// Every redirect asks, so the common shape (http(s), a plain ASCII host name, maybe a port) is read
    /// from the string itself and the host string is shared between visits; anything else goes through
    /// <see cref="Uri"/> (IDN, IP literals, user info, escapes). Both ways give the same answer.
    /// </remarks>
    public static string? ReferrerHost(string? referer)
    {
        if (string.IsNullOrEmpty(referer) || referer.Length > 4096)
        {
            return null;
        }

        Span<char> lower = stackalloc char[MaxPlainHostLength];
        if (!TryPlainHost(referer, lower, out var length))
        {
            return ReferrerHostByUri(referer);
        }

        var host = lower[..length];
        if (host.StartsWith("www."))
        {
            host = host[4..];
        }

        if (host.Length > ClickValidation.MaxNameLength)
        {
            return Shortened(host.ToString());
        }

        if (HostsBySpan.TryGetValue(host, out var known))
        {
            return known;
        }

        var created = host.ToString();
        if (Hosts.Count >= HostMemoCapacity)
        {
            Hosts.Clear();
        }

        Hosts.TryAdd(created, created);
        return created;
    }

    /// <summary>The general way: <see cref="Uri"/> parses it.</summary>
    internal static string? ReferrerHostByUri(string referer)
    {
        if (!Uri.TryCreate(referer, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.IdnHost))
        {
            return null;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        return Shortened(host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host);
    }

    /// <summary>
    /// A host longer than stats keep loses its leftmost labels until it fits (the site stays, the
    /// subdomains go); one that cannot be cut so is counted as <see cref="Dimensions.Unknown"/>.
    /// </summary>
    private static string Shortened(string host)
    {
        while (host.Length > ClickValidation.MaxNameLength)
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0 || dot == host.Length - 1 || host[0] == '[')
            {
                return Dimensions.Unknown;
            }

            host = host[(dot + 1)..];
        }

        return host;
    }

    /// <summary>
    /// <c>http(s)://name(:port)</c> followed by nothing, '/', '?' or '#', where the name is dot-separated
    /// labels of ASCII letters, digits and '-', the last one starting with a letter (so no IP address).
    /// Writes the name in lower case to <paramref name="lower"/>. False for anything else.
    /// </summary>
    private static bool TryPlainHost(string referer, Span<char> lower, out int length)
    {
        length = 0;
        var rest = referer.AsSpan();
        if (rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest[8..];
        }
        else if (rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest[7..];
        }
        else
        {
            return false;
        }

        var end = rest.IndexOfAny('/', '?', '#');
        var authority = end < 0 ? rest : rest[..end];
        var colon = authority.IndexOf(':');
        var name = colon < 0 ? authority : authority[..colon];
        if (colon >= 0)
        {
            var port = authority[(colon + 1)..];
            if (port.Length is < 1 or > 5 || port.ContainsAnyExceptInRange('0', '9') || int.Parse(port, CultureInfo.InvariantCulture) > 65535)
            {
                return false;
            }
        }

        if (name.Length is 0 or > MaxPlainHostLength || name.ContainsAnyExcept(PlainHostCharacters)
            || name[0] == '.' || name[^1] == '.' || name.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        var lastLabel = name[(name.LastIndexOf('.') + 1)..];
        if (!char.IsAsciiLetter(lastLabel[0]))
        {
            return false;
        }

        length = name.ToLowerInvariant(lower);
        return length == name.Length;
    }

    /// <summary>An ISO 3166 alpha-2 country from a CDN header (e.g. CF-IPCountry, X-Azure-ClientCountry); null otherwise.</summary>
    public static string? Country(string? header) =>
        header is { Length: 2 } && char.IsAsciiLetter(header[0]) && char.IsAsciiLetter(header[1]) && !header.Equals("XX", StringComparison.OrdinalIgnoreCase)
            ? header.ToUpperInvariant()
            : null;

    /// <summary>A click as <see cref="Create(string, DateTimeOffset, string, VisitorKind, string?, string?, bool, string?, bool, int?)"/> makes it, from the raw User-Agent.</summary>
    public static ClickEvent Create(
        string code, DateTimeOffset time, string method, string? userAgent, string? referer, string? countryHeader, bool isPrefetch, string? campaign = null, bool isQrScan = false, int? visitor = null) =>
        Create(code, time, method, UserAgentClassifier.Classify(userAgent), referer, countryHeader, isPrefetch, campaign, isQrScan, visitor);

    /// <summary>
    /// A click is made by a human when the request is a GET (or the POST of a protected link's password form) from a
    /// browser that is not prefetching; a HEAD or any other method is automated.
    /// </summary>
    public static bool IsAutomated(VisitorKind kind, string method, bool isPrefetch) =>
        kind.IsBot || isPrefetch
        || !(string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) || string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase));

    /// <param name="visitor">The visitor's mark; kept only when the click is a human's (<see cref="IsAutomated"/>).</param>
    public static ClickEvent Create(
        string code, DateTimeOffset time, string method, VisitorKind kind, string? referer, string? countryHeader, bool isPrefetch, string? campaign = null, bool isQrScan = false, int? visitor = null)
    {
        var automated = IsAutomated(kind, method, isPrefetch);
        return new ClickEvent(
            code,
            time.ToUniversalTime(),
            ReferrerHost(referer),
            kind.Browser,
            kind.OperatingSystem,
            kind.Device,
            Country(countryHeader),
            automated,
            Campaign: CampaignName(campaign),
            IsQrScan: isQrScan,
            Visitor: automated ? null : visitor);
    }

    /// <summary>
    /// A campaign as stats keep it: '/' and '~' become look-alikes (U+2215, U+223C), since a breakdown's names are
    /// keys of a Cosmos DB patch path (a JSON pointer); null for none.
    /// </summary>
    public static string? CampaignName(string? campaign) =>
        string.IsNullOrWhiteSpace(campaign) ? null : campaign.Trim().Replace('/', '\u2215').Replace('~', '\u223C');
}
