using System.Net;
using System.Net.Http.Json;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Clicks;

/// <summary>Unique visitors per link and UTC day, on both stats stores: approximate, within 3 %, never the address.</summary>
public abstract class UniqueVisitorsTests<TApp>
    where TApp : ShortenerApp, new()
{
    [Fact]
    public async Task Redirects_count_each_visitor_once_a_day_apart_from_clicks_and_bots()
    {
        using var app = new TApp { Settings = ClickStatsTests<TApp>.FastPipeline };
        var loyal = await app.Client().CreateLinkAsync(new { url = "https://example.com/loyal" });
        var popular = await app.Client().CreateLinkAsync(new { url = "https://example.com/popular" });

        // One visitor follows the first link 1,000 times; 300 visitors (their addresses named by the trusted
        // loopback proxy) follow the second once each, and one of them with a second browser; a bot comes too.
        var one = Visitor(app, "198.51.100.7", ClickStatsTests<TApp>.Firefox);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            for (var i = 0; i < 100; i++)
            {
                (await one.GetAsync($"/{loyal.Code}")).Dispose();
            }
        }));
        for (var i = 0; i < 300; i++)
        {
            (await Visitor(app, $"203.0.{i / 250}.{i % 250}", ClickStatsTests<TApp>.Chrome).GetAsync($"/{popular.Code}")).Dispose();
        }

        (await Visitor(app, "203.0.0.1", ClickStatsTests<TApp>.IPhone).GetAsync($"/{popular.Code}")).Dispose();
        (await Visitor(app, "203.0.0.2", ClickStatsTests<TApp>.Slackbot).GetAsync($"/{popular.Code}")).Dispose();

        // On Cosmos DB a message's visitors land in their own document after its counts: wait for both.
        var loyalStats = await ClickStatsTests<TApp>.WaitForStatsAsync(app, loyal.Code, string.Empty, s => s.Total == 1000 && s.UniqueVisitors > 0);
        Assert.Equal(1000, loyalStats.Total);
        Assert.Equal(1, loyalStats.UniqueVisitors);

        var popularStats = await ClickStatsTests<TApp>.WaitForStatsAsync(app, popular.Code, "granularity=day", s => s.Total == 301 && s.BotClicks == 1 && s.UniqueVisitors >= 301 * 0.97);
        Assert.Equal(301, popularStats.Total);
        Assert.Equal(1, popularStats.BotClicks);
        Assert.InRange(popularStats.UniqueVisitors, 301 * 0.97, 301 * 1.03);

        // By day, each day of the series has its own count; by hour, none.
        Assert.Equal(popularStats.UniqueVisitors, popularStats.Series[^1].UniqueVisitors);
        Assert.All(popularStats.Series[..^1], p => Assert.Equal(0, p.UniqueVisitors));
        using var hourly = await app.Client().GetAsync($"/api/links/{popular.Code}/stats");
        var text = await hourly.Content.ReadAsStringAsync();
        Assert.Contains("\"uniqueVisitors\":", text);
        Assert.Equal(popularStats.UniqueVisitors, (await hourly.Content.ReadFromJsonAsync<StatsJson>())!.UniqueVisitors);
        Assert.DoesNotContain("203.0.", text);
    }

    [Fact]
    public async Task A_hundred_thousand_distinct_visitors_are_counted_within_3_percent_by_the_stats_store()
    {
        using var app = new TApp();
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/crowd" });
        var store = app.Service<IStatsStore>();
        var marks = app.Service<VisitorMarks>();
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        // What the aggregator hands the store: 20 messages of 5,000 visitors, one of them delivered twice.
        const int Visitors = 100_000;
        var clicks = Enumerable.Range(0, Visitors).Select(i =>
        {
            byte[] address = [10, (byte)(i >> 16), (byte)(i >> 8), (byte)i];
            return new ClickEvent(link.Code, now, null, "Chrome", "Windows", "Desktop", null, false, Visitor: marks.Mark(today, address, ClickStatsTests<TApp>.Chrome));
        }).Chunk(5000).ToList();
        for (var i = 0; i < clicks.Count; i++)
        {
            await store.ApplyAsync($"crowd-{i}", DailyClicks.Roll(clicks[i]), CancellationToken.None);
        }

        await store.ApplyAsync("crowd-3", DailyClicks.Roll(clicks[3]), CancellationToken.None);

        var stats = (await app.Client().GetFromJsonAsync<StatsJson>($"/api/links/{link.Code}/stats"))!;
        Assert.Equal(Visitors, stats.Total);
        Assert.InRange(stats.UniqueVisitors, Visitors * 0.97, Visitors * 1.03);
    }

    private static HttpClient Visitor(TApp app, string address, string agent)
    {
        var client = app.ClientWith(null);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(agent);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }
}

public sealed class UniqueVisitorsOnEmbeddedTests : UniqueVisitorsTests<ShortenerApp>;

public sealed class UniqueVisitorsOnCosmosRedisTests : UniqueVisitorsTests<CosmosRedisApp>;
