using System.Globalization;
using System.Text;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Web.Endpoints;

/// <summary>
/// A link's stats as RFC 4180 CSV: one table of <c>section,name,clicks</c>, the series first (<c>series</c>, the
/// hour or day it starts, its human clicks), then the totals and one section per breakdown, so that any CSV reader
/// reads it whole and a spreadsheet can pivot it. By day, <c>seriesUniqueVisitors</c> and <c>seriesBotClicks</c> give each day's unique visitors and bot clicks.
/// </summary>
/// <remarks>Quoting a field is four lines; a CSV library would add a dependency to the app for them.</remarks>
public static class StatsCsv
{
    public const string MediaType = "text/csv";

    public static byte[] Write(StatsReport report)
    {
        var csv = new StringBuilder();
        csv.Append("section,name,clicks\r\n");
        foreach (var point in report.Series)
        {
            Row(csv, "series", point.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), point.Clicks);
        }

        Row(csv, "total", string.Empty, report.Total);
        Row(csv, "botClicks", string.Empty, report.BotClicks);
        Row(csv, "qrScans", string.Empty, report.QrScans);
        Row(csv, "uniqueVisitors", string.Empty, report.UniqueVisitors);
        foreach (var point in report.Series.Where(p => p.UniqueVisitors is not null))
        {
            Row(csv, "seriesUniqueVisitors", point.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), point.UniqueVisitors!.Value);
        }

        foreach (var point in report.Series.Where(p => p.BotClicks is not null))
        {
            Row(csv, "seriesBotClicks", point.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), point.BotClicks!.Value);
        }

        Breakdown(csv, "referrers", report.Referrers);
        Breakdown(csv, "browsers", report.Browsers);
        Breakdown(csv, "operatingSystems", report.OperatingSystems);
        Breakdown(csv, "devices", report.Devices);
        Breakdown(csv, "countries", report.Countries);
        Breakdown(csv, "campaigns", report.Campaigns ?? []);
        Breakdown(csv, "sources", report.Sources ?? []);
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>The download's name: the code and the range, e.g. <c>launch-stats-20261201T00-20261202T00.csv</c>.</summary>
    public static string FileName(StatsReport report) => string.Create(
        CultureInfo.InvariantCulture, $"{report.Code}-stats-{report.From.UtcDateTime:yyyyMMdd'T'HH}-{report.To.UtcDateTime:yyyyMMdd'T'HH}.csv");

    private static void Breakdown(StringBuilder csv, string section, IReadOnlyList<StatsCount> counts)
    {
        foreach (var count in counts)
        {
            Row(csv, section, count.Name, count.Clicks);
        }
    }

    private static void Row(StringBuilder csv, string section, string name, long clicks) =>
        csv.Append(section).Append(',').Append(Field(name)).Append(',').Append(clicks.ToString(CultureInfo.InvariantCulture)).Append("\r\n");

    // Quoted when it holds a comma, a quote or a line break (RFC 4180); a leading = + - @ is defused with an
    // apostrophe, so that a spreadsheet never runs a referrer host as a formula (OWASP CSV injection).
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
