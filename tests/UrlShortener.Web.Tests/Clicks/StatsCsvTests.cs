using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using nietras.SeparatedValues;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Clicks;

/// <summary>The stats route as CSV: a standard reader reads it, and its numbers are the JSON's.</summary>
public abstract class StatsCsvTests<TApp>
    where TApp : ShortenerApp, new()
{
    [Fact]
    public async Task Csv_stats_parse_with_a_standard_reader_and_equal_the_json_stats_in_every_section()
    {
        using var app = new TApp { Settings = ClickStatsTests<TApp>.FastPipeline };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/csv", utm = new { source = "news", campaign = "spring/2026, \"big\"" } });
        foreach (var (agent, referrer, times) in new[]
        {
            (ClickStatsTests<TApp>.Chrome, "https://news.example.org/a,b?x=1", 3),
            (ClickStatsTests<TApp>.IPhone, "https://=cmd.example.com/", 2),
            (ClickStatsTests<TApp>.Firefox, (string?)null, 1),
            (ClickStatsTests<TApp>.Slackbot, null, 2),
        })
        {
            var visitor = app.ClientWith(null);
            visitor.DefaultRequestHeaders.UserAgent.ParseAdd(agent);
            for (var i = 0; i < times; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/{link.Code}");
                if (referrer is not null)
                {
                    request.Headers.TryAddWithoutValidation("Referer", referrer);
                }

                (await visitor.SendAsync(request)).Dispose();
            }
        }

        // On Cosmos DB a message's counts land in several patches of a day document and in a visitors document: wait for all.
        var json = await ClickStatsTests<TApp>.WaitForStatsAsync(app, link.Code, string.Empty, s => s.Total == 6 && s.BotClicks == 2 && s.Sources?.Sum(c => c.Clicks) == 6 && s.UniqueVisitors == 3);
        Assert.Equal(6, json.Total);
        Assert.Equal(3, json.UniqueVisitors); // three browsers on one address; the bot is not a visitor
        Assert.Equal([("spring\u22152026, \"big\"", 6L)], json.Campaigns!.Select(c => (c.Name, c.Clicks)));

        foreach (var ask in new Func<HttpRequestMessage>[]
        {
            () => new HttpRequestMessage(HttpMethod.Get, $"/api/links/{link.Code}/stats?format=csv"),
            () => new HttpRequestMessage(HttpMethod.Get, $"/api/links/{link.Code}/stats") { Headers = { { "Accept", "text/csv" } } },
        })
        {
            using var response = await app.Client().SendAsync(ask());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Matches($"^{link.Code}-stats-[0-9]{{8}}T[0-9]{{2}}-[0-9]{{8}}T[0-9]{{2}}\\.csv$", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

            var rows = ReadRows(await response.Content.ReadAsStringAsync());
            Assert.Equal(json.Series.Select(p => (p.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), p.Clicks)), Section(rows, "series"));
            Assert.Equal([(string.Empty, json.Total)], Section(rows, "total"));
            Assert.Equal([(string.Empty, json.BotClicks)], Section(rows, "botClicks"));
            Assert.Equal(json.Referrers.Select(c => (Defused(c.Name), c.Clicks)), Section(rows, "referrers"));
            Assert.Equal(json.Browsers.Select(c => (c.Name, c.Clicks)), Section(rows, "browsers"));
            Assert.Equal(json.OperatingSystems.Select(c => (c.Name, c.Clicks)), Section(rows, "operatingSystems"));
            Assert.Equal(json.Devices.Select(c => (c.Name, c.Clicks)), Section(rows, "devices"));
            Assert.Equal(json.Countries.Select(c => (c.Name, c.Clicks)), Section(rows, "countries"));
            Assert.Equal(json.Campaigns!.Select(c => (c.Name, c.Clicks)), Section(rows, "campaigns"));
            Assert.Equal(json.Sources!.Select(c => (c.Name, c.Clicks)), Section(rows, "sources"));
            Assert.Equal([(string.Empty, json.QrScans)], Section(rows, "qrScans"));
            Assert.Equal([(string.Empty, json.UniqueVisitors)], Section(rows, "uniqueVisitors"));
            Assert.Empty(Section(rows, "seriesUniqueVisitors"));
            Assert.Empty(Section(rows, "seriesBotClicks"));
        }

        // By day, each day's unique visitors and bot clicks have rows of their own, equal to the JSON's points.
        var byDay = await ClickStatsTests<TApp>.WaitForStatsAsync(app, link.Code, "granularity=day", s => s.Total == 6 && s.BotClicks == 2);
        using (var daily = await app.Client().GetAsync($"/api/links/{link.Code}/stats?granularity=day&format=csv"))
        {
            var rows = ReadRows(await daily.Content.ReadAsStringAsync());
            string Day(DateTimeOffset start) => start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            Assert.Equal(byDay.Series.Select(p => (Day(p.Start), p.UniqueVisitors!.Value)), Section(rows, "seriesUniqueVisitors"));
            Assert.Equal(byDay.Series.Select(p => (Day(p.Start), p.BotClicks!.Value)), Section(rows, "seriesBotClicks"));
            Assert.Equal(2, Section(rows, "seriesBotClicks").Sum(r => r.Clicks));
        }

        // JSON stays the default, also for a client that takes anything.
        using var plain = await app.Client().SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/links/{link.Code}/stats") { Headers = { { "Accept", "*/*" } } });
        Assert.Equal("application/json", plain.Content.Headers.ContentType?.MediaType);
        using var unknown = await app.Client().GetAsync($"/api/links/{link.Code}/stats?format=xml");
        await ProblemAssert.NamesFieldAsync(unknown, "format");
    }

    private static List<(string Section, string Name, long Clicks)> ReadRows(string text)
    {
        // Sep, a standard RFC 4180 reader, with quoted fields unescaped.
        using var reader = Sep.Reader(o => o with { Sep = new Sep(','), Unescape = true }).FromText(text);
        Assert.Equal(["section", "name", "clicks"], reader.Header.ColNames);
        var rows = new List<(string, string, long)>();
        foreach (var row in reader)
        {
            rows.Add((row["section"].ToString(), row["name"].ToString(), long.Parse(row["clicks"].Span, CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    private static List<(string Name, long Clicks)> Section(List<(string Section, string Name, long Clicks)> rows, string section) =>
        [.. rows.Where(r => r.Section == section).Select(r => (r.Name, r.Clicks))];

    // A cell a spreadsheet would run as a formula is written with a leading apostrophe.
    private static string Defused(string name) => name.Length > 0 && name[0] is '=' or '+' or '-' or '@' ? "'" + name : name;
}

public sealed class StatsCsvOnEmbeddedTests : StatsCsvTests<ShortenerApp>;

public sealed class StatsCsvOnCosmosRedisTests : StatsCsvTests<CosmosRedisApp>;

public class StatsCsvWriterTests
{
    [Fact]
    public void Names_with_commas_quotes_line_breaks_or_a_formula_start_are_quoted_and_defused()
    {
        var from = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var report = new UrlShortener.Core.Clicks.StatsReport(
            "abc1234", from, from.AddHours(1), "hour", 5, [new(from, 5)],
            [new("a,b", 1), new("say \"hi\"", 1), new("line\r\nbreak", 1), new("=HYPERLINK(1)", 1), new("-2", 1)], [], [], [], [], 0);

        var text = System.Text.Encoding.UTF8.GetString(UrlShortener.Web.Endpoints.StatsCsv.Write(report));

        Assert.Equal(
            "section,name,clicks\r\nseries,2026-12-01T00:00:00Z,5\r\ntotal,,5\r\nbotClicks,,0\r\nqrScans,,0\r\nuniqueVisitors,,0\r\n"
            + "referrers,\"a,b\",1\r\nreferrers,\"say \"\"hi\"\"\",1\r\nreferrers,\"line\r\nbreak\",1\r\nreferrers,'=HYPERLINK(1),1\r\nreferrers,'-2,1\r\n",
            text);
        Assert.Equal("abc1234-stats-20261201T00-20261201T01.csv", UrlShortener.Web.Endpoints.StatsCsv.FileName(report));
    }
}
