using System.Buffers;
using System.Collections.Concurrent;

namespace UrlShortener.Core.Clicks;

/// <summary>
/// A small table-driven User-Agent classifier: the first matching row of each table wins, so more
/// specific tokens come first (Edge and Opera before Chrome, Chrome before Safari, …).
/// Good enough for click analytics; tested against real User-Agent strings in tests/.
/// Real traffic repeats a small set of User-Agents, so answers are remembered (a bounded memo).
/// </summary>
public static class UserAgentClassifier
{
    private const int MemoCapacity = 4096;
    private const int MaxMemoizedLength = 512;
    private static readonly ConcurrentDictionary<string, VisitorKind> Memo = new(StringComparer.Ordinal);

    // Crawlers, link unfurlers and monitors. Matched case-insensitively anywhere in the string, all in one pass.
    // Not a plain app or brand name: DuckDuckGo, LinkedIn and Pinterest ship browsers and in-app browsers
    // that people use; their crawlers (DuckDuckBot, LinkedInBot, Pinterestbot) are caught by "bot".
    private static readonly SearchValues<string> BotTokens = SearchValues.Create(
    [
        "bot", "crawler", "spider", "slurp", "facebookexternalhit", "facebookcatalog", "meta-externalagent", "whatsapp",
        "telegram", "discord", "skypeuripreview", "embedly", "quora link preview", "vkshare", "w3c_validator",
        "redditbot", "mastodon", "bitlybot", "tumblr", "outbrain", "flipboard", "nuzzel", "qwantify", "ia_archiver",
        "headlesschrome", "phantomjs", "lighthouse", "pingdom", "uptimerobot", "statuscake", "site24x7", "newrelicpinger",
        "datadog", "checkly", "better uptime", "gtmetrix", "curl/", "wget/", "python-requests", "python-urllib", "aiohttp",
        "go-http-client", "okhttp", "java/", "apache-httpclient", "libwww-perl", "node-fetch", "axios/", "httpclient",
        "postmanruntime", "insomnia", "scrapy", "feedfetcher", "google-read-aloud", "googleother", "apis-google",
        "mediapartners-google", "adsbot", "bingpreview", "yandex", "baiduspider", "petalbot", "applebot",
        "ahrefs", "semrush", "mj12bot", "dotbot", "bytespider", "gptbot", "chatgpt-user", "claudebot", "anthropic-ai",
        "perplexitybot", "ccbot", "amazonbot", "preview", "validator", "monitor", "check_http", "zgrab", "masscan",
    ], StringComparison.OrdinalIgnoreCase);

    // (token, browser); first match wins.
    private static readonly (string Token, string Browser)[] Browsers =
    [
        ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("Edge/", "Edge"),
        ("OPR/", "Opera"), ("OPT/", "Opera"), ("Opera", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"), ("YaBrowser/", "Yandex Browser"), ("UCBrowser/", "UC Browser"),
        ("Vivaldi/", "Vivaldi"), ("Brave/", "Brave"), ("DuckDuckGo/", "DuckDuckGo"),
        ("FBAN/", "Facebook App"), ("FBAV/", "Facebook App"), ("Instagram", "Instagram App"),
        ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"), ("Chromium/", "Chromium"), ("Chrome/", "Chrome"),
        ("MSIE ", "Internet Explorer"), ("Trident/", "Internet Explorer"),
        ("Safari/", "Safari"), ("AppleWebKit/", "Safari"),
    ];

    private static readonly (string Token, string OperatingSystem)[] OperatingSystems =
    [
        ("Windows Phone", "Windows Phone"), ("Windows", "Windows"),
        ("iPhone", "iOS"), ("iPad", "iPadOS"), ("iPod", "iOS"),
        ("Android", "Android"), ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"), ("Macintosh", "macOS"),
        ("Linux", "Linux"), ("FreeBSD", "FreeBSD"),
    ];

    private static readonly (string Token, string Device)[] Devices =
    [
        ("iPad", "Tablet"), ("Tablet", "Tablet"), ("Kindle", "Tablet"), ("Silk/", "Tablet"),
        ("Mobile", "Mobile"), ("iPhone", "Mobile"), ("iPod", "Mobile"), ("Windows Phone", "Mobile"),
        ("SmartTV", "TV"), ("SMART-TV", "TV"), ("Tizen", "TV"), ("Web0S", "TV"), ("AppleTV", "TV"),
        ("PlayStation", "Console"), ("Xbox", "Console"), ("Nintendo", "Console"),
    ];

    public static VisitorKind Classify(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            // No User-Agent at all: a script, not a browser.
            return new VisitorKind(Dimensions.Unknown, Dimensions.Unknown, Dimensions.Unknown, IsBot: true);
        }

        if (Memo.TryGetValue(userAgent, out var known))
        {
            return known;
        }

        var kind = ClassifyUncached(userAgent);
        if (userAgent.Length <= MaxMemoizedLength)
        {
            if (Memo.Count >= MemoCapacity)
            {
                Memo.Clear();
            }

            Memo.TryAdd(userAgent, kind);
        }

        return kind;
    }

    internal static VisitorKind ClassifyUncached(string userAgent)
    {
        var ua = userAgent.AsSpan();
        var isBot = ua.ContainsAny(BotTokens);

        var operatingSystem = FirstMatch(ua, OperatingSystems) ?? Dimensions.Unknown;
        var device = FirstMatch(ua, Devices)
            ?? (operatingSystem == "Android" ? "Tablet" : operatingSystem is "Windows" or "macOS" or "Linux" or "ChromeOS" or "FreeBSD" ? "Desktop" : Dimensions.Unknown);
        var browser = FirstMatch(ua, Browsers) ?? Dimensions.Unknown;
        return new VisitorKind(isBot ? "Bot" : browser, operatingSystem, isBot ? "Bot" : device, isBot);
    }

    private static string? FirstMatch(ReadOnlySpan<char> ua, (string Token, string Name)[] table)
    {
        foreach (var (token, name) in table)
        {
            if (ua.Contains(token, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }
}
