using System.Globalization;
using UrlShortener.Core.Links;

namespace UrlShortener.Core.Clicks;

public enum Granularity
{
    Hour,
    Day,
}

/// <summary>A validated stats request: [From, To) aligned to whole hours or days (UTC).</summary>
public sealed record StatsQuery(DateTimeOffset From, DateTimeOffset To, Granularity Granularity)
{
    public static readonly TimeSpan MaxHourlyRange = TimeSpan.FromDays(31);
    public static readonly TimeSpan MaxDailyRange = TimeSpan.FromDays(400);

    /// <summary>The earliest and latest instants a query may name: no click is older, and every range stays representable.</summary>
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Latest = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const string TimeFormat = "must be an RFC 3339 date-time with a time zone (2026-11-21T12:00:00Z) or a date (2026-11-21)";

    /// <summary>Reads the query parameters; null with <paramref name="errors"/> filled when they are wrong.</summary>
    public static StatsQuery? Parse(string? from, string? to, string? granularity, DateTimeOffset now, ValidationErrors errors)
    {
        var unit = granularity switch
        {
            null or "hour" => Granularity.Hour,
            "day" => Granularity.Day,
            _ => (Granularity?)null,
        };
        if (unit is null)
        {
            errors.Add("granularity", "must be hour or day.");
        }

        var end = to is null ? now : ParseTime("to", to, errors);
        var start = from is null ? null : ParseTime("from", from, errors);

        if (!errors.IsEmpty)
        {
            return null;
        }

        var step = unit == Granularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        var alignedTo = Ceiling(end!.Value.ToUniversalTime(), step);
        var alignedFrom = start is { } s ? Floor(s.ToUniversalTime(), step) : alignedTo - (unit == Granularity.Hour ? TimeSpan.FromHours(24) : TimeSpan.FromDays(30));
        if (alignedFrom >= alignedTo || (start is not null && start >= end))
        {
            errors.Add("to", "must be after from.");
            return null;
        }

        var max = unit == Granularity.Hour ? MaxHourlyRange : MaxDailyRange;
        if (alignedTo - alignedFrom > max)
        {
            errors.Add("from", $"the range may span at most {max.TotalDays:0} days by {(unit == Granularity.Hour ? "hour" : "day")}.");
            return null;
        }

        return new StatsQuery(alignedFrom, alignedTo, unit!.Value);
    }

    /// <summary>The UTC days whose stats this query needs.</summary>
    public IEnumerable<DateOnly> Days()
    {
        var last = DateOnly.FromDateTime((To - TimeSpan.FromTicks(1)).UtcDateTime);
        for (var day = DateOnly.FromDateTime(From.UtcDateTime); day <= last; day = day.AddDays(1))
        {
            yield return day;
        }
    }

    private static DateTimeOffset? ParseTime(string field, string text, ValidationErrors errors)
    {
        DateTimeOffset? parsed = null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            parsed = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        else if ((text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':'))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var time))
        {
            parsed = time;
        }

        if (parsed is null)
        {
            errors.Add(field, TimeFormat + ".");
            return null;
        }

        if (parsed < Earliest || parsed >= Latest)
        {
            errors.Add(field, $"must be from {Earliest:yyyy-MM-dd} up to (not including) {Latest:yyyy-MM-dd}.");
            return null;
        }

        return parsed;
    }

    private static DateTimeOffset Floor(DateTimeOffset time, TimeSpan step) => new(time.UtcTicks - (time.UtcTicks % step.Ticks), TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset time, TimeSpan step)
    {
        var floor = Floor(time, step);
        return floor.UtcTicks == time.UtcTicks ? floor : floor + step;
    }
}

/// <summary>A link's clicks over a query's range, built from stored days (the API shows it as its own contract).</summary>
public sealed record StatsReport(
    string Code,
    DateTimeOffset From,
    DateTimeOffset To,
    string Granularity,
    long Total,
    IReadOnlyList<StatsPoint> Series,
    IReadOnlyList<StatsCount> Referrers,
    IReadOnlyList<StatsCount> Browsers,
    IReadOnlyList<StatsCount> OperatingSystems,
    IReadOnlyList<StatsCount> Devices,
    IReadOnlyList<StatsCount> Countries,
    long BotClicks,
    IReadOnlyList<StatsCount>? Campaigns = null,
    IReadOnlyList<StatsCount>? Sources = null,
    long UniqueVisitors = 0)
{
    /// <summary>Human visits that came by the link's QR code.</summary>
    public long QrScans => Sources?.FirstOrDefault(s => s.Name == Dimensions.QrSource)?.Clicks ?? 0;

    /// <summary>
    /// The series is cut to the hours asked for. Breakdowns and bot clicks are kept per day, so they
    /// cover the whole UTC days the range touches; so do unique visitors, counted per UTC day (the salt that tells
    /// visitors apart changes at midnight) and added up over the days by merging the days' sketches.
    /// </summary>
    public static StatsReport Build(string code, StatsQuery query, IReadOnlyList<DailyClicks> days)
    {
        var byDay = days.ToDictionary(d => d.Day);
        var series = new List<StatsPoint>();
        var step = query.Granularity == Clicks.Granularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        for (var start = query.From; start < query.To; start += step)
        {
            var day = byDay.GetValueOrDefault(DateOnly.FromDateTime(start.UtcDateTime));
            if (query.Granularity == Clicks.Granularity.Hour)
            {
                series.Add(new StatsPoint(start, day is null ? 0 : day.Hours[start.UtcDateTime.Hour]));
            }
            else
            {
                series.Add(new StatsPoint(start, day?.Humans ?? 0, day?.Visitors?.Estimate() ?? 0, day?.Bots ?? 0));
            }
        }

        var inRange = query.Days().Select(byDay.GetValueOrDefault).OfType<DailyClicks>().ToList();
        return new StatsReport(
            code,
            query.From,
            query.To,
            query.Granularity == Clicks.Granularity.Hour ? "hour" : "day",
            series.Sum(p => p.Clicks),
            series,
            Largest(inRange, d => d.Referrers),
            Largest(inRange, d => d.Browsers),
            Largest(inRange, d => d.OperatingSystems),
            Largest(inRange, d => d.Devices),
            Largest(inRange, d => d.Countries),
            inRange.Sum(d => d.Bots),
            Largest(inRange, d => d.Campaigns),
            Largest(inRange, d => d.Sources),
            UniqueVisitorsOf(inRange));
    }

    private static long UniqueVisitorsOf(List<DailyClicks> days)
    {
        var all = new VisitorSketch();
        foreach (var day in days)
        {
            if (day.Visitors is { } visitors)
            {
                all.Merge(visitors);
            }
        }

        return all.Estimate();
    }

    private static List<StatsCount> Largest(List<DailyClicks> days, Func<DailyClicks, Dictionary<string, long>> dimension) =>
        days.SelectMany(d => dimension(d))
            .GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(g => new StatsCount(g.Key, g.Sum(kv => kv.Value)))
            .OrderByDescending(c => c.Clicks)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
}

/// <summary>One step of the series; <see cref="UniqueVisitors"/> and <see cref="BotClicks"/> only by day (bots are kept per day), null by hour.</summary>
public sealed record StatsPoint(DateTimeOffset Start, long Clicks, long? UniqueVisitors = null, long? BotClicks = null);

public sealed record StatsCount(string Name, long Clicks);
