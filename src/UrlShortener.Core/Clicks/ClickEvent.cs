namespace UrlShortener.Core.Clicks;

/// <summary>
/// A visit to a short link, as recorded: never the IP address, never the full referrer.
/// <see cref="Time"/> is UTC. <see cref="Count"/> is how many visits it stands for: the batcher
/// merges visits with the same facts in the same hour into one (stats count nothing finer),
/// keeping the first one's time. <see cref="Campaign"/> is the UTM campaign the visit counts under, if any.
/// <see cref="Visitor"/> is the visitor's <see cref="VisitorSketch.Mark"/> for the day, the only trace of who came.
/// </summary>
public sealed record ClickEvent(
    string Code,
    DateTimeOffset Time,
    string? ReferrerHost,
    string Browser,
    string OperatingSystem,
    string Device,
    string? Country,
    bool IsBot,
    int Count = 1,
    string? Campaign = null,
    bool IsQrScan = false,
    int? Visitor = null);

/// <summary>What a User-Agent says about the visitor.</summary>
public readonly record struct VisitorKind(string Browser, string OperatingSystem, string Device, bool IsBot);

public static class Dimensions
{
    public const string Unknown = "Other";
    public const string Direct = "(direct)";

    /// <summary>The names of the sources breakdown: a scan of the link's QR code, or any other visit.</summary>
    public const string QrSource = "qr";
    public const string LinkSource = "link";
}
