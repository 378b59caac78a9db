using System.Runtime.InteropServices;

namespace UrlShortener.Core.Clicks;

/// <summary>
/// A link's clicks on one UTC day: human clicks per hour, bot clicks, and the human clicks by
/// referrer, browser, operating system, device and country. The unit stats are stored in.
/// </summary>
public sealed class DailyClicks(string code, DateOnly day)
{
    public string Code { get; } = code;
    public DateOnly Day { get; } = day;
    public long[] Hours { get; } = new long[24];
    public long Bots { get; set; }
    public Dictionary<string, long> Referrers { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Browsers { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> OperatingSystems { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Devices { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Countries { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Campaigns { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Sources { get; } = new(StringComparer.Ordinal);

    /// <summary>The day's distinct human visitors, approximately; null when no click said who came.</summary>
    public VisitorSketch? Visitors { get; set; }

    public long Humans => Hours.Sum();

    /// <summary>The breakdowns by name, as stored: "referrers", "browsers", "operatingSystems", "devices", "countries", "campaigns", "sources".</summary>
    public IEnumerable<(string Dimension, Dictionary<string, long> Counts)> Breakdowns()
    {
        yield return ("referrers", Referrers);
        yield return ("browsers", Browsers);
        yield return ("operatingSystems", OperatingSystems);
        yield return ("devices", Devices);
        yield return ("countries", Countries);
        yield return ("campaigns", Campaigns);
        yield return ("sources", Sources);
    }

    public void Add(ClickEvent click)
    {
        var count = click.Count;
        if (click.IsBot)
        {
            Bots += count;
            return;
        }

        Hours[click.Time.UtcDateTime.Hour] += count;
        Increment(Referrers, click.ReferrerHost ?? Dimensions.Direct, count);
        Increment(Browsers, click.Browser, count);
        Increment(OperatingSystems, click.OperatingSystem, count);
        Increment(Devices, click.Device, count);
        if (click.Country is { } country)
        {
            Increment(Countries, country, count);
        }

        if (click.Campaign is { } campaign)
        {
            Increment(Campaigns, campaign, count);
        }

        Increment(Sources, click.IsQrScan ? Dimensions.QrSource : Dimensions.LinkSource, count);
        if (click.Visitor is { } visitor && VisitorSketch.IsMark(visitor))
        {
            (Visitors ??= new VisitorSketch()).Add(visitor);
        }
    }

    /// <summary>Groups clicks by (code, UTC day).</summary>
    public static IReadOnlyList<DailyClicks> Roll(IEnumerable<ClickEvent> clicks)
    {
        var days = new Dictionary<(string, DateOnly), DailyClicks>();
        foreach (var click in clicks)
        {
            var key = (click.Code, DateOnly.FromDateTime(click.Time.UtcDateTime));
            if (!days.TryGetValue(key, out var day))
            {
                days[key] = day = new DailyClicks(key.Item1, key.Item2);
            }

            day.Add(click);
        }

        return [.. days.Values];
    }

    private static void Increment(Dictionary<string, long> counts, string name, long count) =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, name, out _) += count;
}
