namespace UrlShortener.Core.Clicks;

/// <summary>
/// One visit to a short link, as recorded: never the IP address, never the full referrer.
/// <see cref="Time"/> is UTC.
/// </summary>
public sealed record ClickEvent(
    string Code,
    DateTimeOffset Time,
    string? ReferrerHost,
    string Browser,
    string OperatingSystem,
    string Device,
    string? Country,
    bool IsBot);

/// <summary>What a User-Agent says about the visitor.</summary>
public readonly record struct VisitorKind(string Browser, string OperatingSystem, string Device, bool IsBot);

public static class Dimensions
{
    public const string Unknown = "Other";
    public const string Direct = "(direct)";
}
