namespace UrlShortener.Core.Clicks;

/// <summary>How a visit's request facts become the fields of a <see cref="ClickEvent"/>.</summary>
public static class ClickFacts
{
    /// <summary>The referrer's host only, lower case, without "www."; null when absent or not an http(s) URL.</summary>
    public static string? ReferrerHost(string? referer)
    {
        if (string.IsNullOrEmpty(referer) || referer.Length > 4096
            || !Uri.TryCreate(referer, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.IdnHost))
        {
            return null;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
    }

    /// <summary>An ISO 3166 alpha-2 country from a CDN header (e.g. CF-IPCountry, X-Azure-ClientCountry); null otherwise.</summary>
    public static string? Country(string? header) =>
        header is { Length: 2 } && char.IsAsciiLetter(header[0]) && char.IsAsciiLetter(header[1]) && !header.Equals("XX", StringComparison.OrdinalIgnoreCase)
            ? header.ToUpperInvariant()
            : null;

    /// <summary>A click is made by a human when the request is a GET from a browser that is not prefetching.</summary>
    public static ClickEvent Create(
        string code, DateTimeOffset time, string method, string? userAgent, string? referer, string? countryHeader, bool isPrefetch)
    {
        var kind = UserAgentClassifier.Classify(userAgent);
        var automated = kind.IsBot || isPrefetch || !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase);
        return new ClickEvent(
            code,
            time.ToUniversalTime(),
            ReferrerHost(referer),
            kind.Browser,
            kind.OperatingSystem,
            kind.Device,
            Country(countryHeader),
            automated);
    }
}
