using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using UrlShortener.Web.Tests.Clicks;
using UrlShortener.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UrlShortener.Web.Tests.Dashboard;

/// <summary>
/// Prints what a first visit costs: the bytes a cold browser transfers to show the dashboard, and the time from
/// navigation to the first chart on a link with 30 days of stats. Figures only; nothing here is asserted on time.
/// </summary>
public sealed class DashboardFirstLoadMeasurement(ITestOutputHelper output)
{
    private const int Runs = 5;

    [Fact]
    public async Task Prints_the_page_weight_and_the_time_to_first_chart_on_30_days_of_stats()
    {
        await using var site = StandaloneDashboardSite.Start();
        var clock = site.Shortener.Clock;
        var today = DateTimeOffset.UtcNow;
        clock.Set(today.AddDays(-30));
        var link = await ((IDashboardSite)site).Client().CreateLinkAsync(new { url = "https://example.com/month", title = "A month of clicks", utm = new { campaign = "autumn" } });

        // 30 days of visits from three browsers and a bot, a few more each day of the week.
        var agents = new[] { ClickStatsTests<ShortenerApp>.Chrome, ClickStatsTests<ShortenerApp>.IPhone, ClickStatsTests<ShortenerApp>.Firefox, ClickStatsTests<ShortenerApp>.Slackbot };
        var visitor = ((IDashboardSite)site).ClientWith(null);
        var humans = 0;
        for (var day = 29; day >= 0; day--)
        {
            clock.Set(today.AddDays(-day).AddMinutes(-5));
            for (var visit = 0; visit < 3 + (day % 7); visit++)
            {
                var agent = agents[visit % agents.Length];
                using var request = new HttpRequestMessage(HttpMethod.Get, "/" + link.Code);
                request.Headers.TryAddWithoutValidation("User-Agent", agent);
                request.Headers.TryAddWithoutValidation("CF-IPCountry", visit % 2 == 0 ? "US" : "DE");
                using var response = await visitor.SendAsync(request);
                Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
                humans += agent == ClickStatsTests<ShortenerApp>.Slackbot ? 0 : 1;
            }

            // The click queue stamps a click when it is taken; let the batch leave before the clock moves on.
            await Task.Delay(150);
        }

        clock.Set(DateTimeOffset.UtcNow);
        await WaitForTotalAsync(site, link.Code, humans);

        var weights = new List<(double Transferred, double Decoded, int Requests)>();
        var firstCharts = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            // A new context is a cold cache: every file comes over the wire again.
            await using (var browser = await DashboardBrowser.OpenAsync(site.BaseUri, output))
            {
                await browser.GoToDashboardAsync();
                await Assertions.Expect(browser.Page.GetByLabel("API key")).ToBeFocusedAsync();
                await browser.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                weights.Add(await WeightAsync(browser.Page));
            }

            await using (var browser = await DashboardBrowser.OpenAsync(site.BaseUri, output))
            {
                await browser.Context.AddInitScriptAsync($"sessionStorage.setItem('urlshortener.apiKey', {JsonSerializer.Serialize(Keys.OwnerA.Secret)})");
                await browser.Page.GotoAsync($"/dashboard/#/links/{link.Code}?range=30d&granularity=day");
                await Assertions.Expect(browser.Page.Locator("#total-clicks")).ToHaveTextAsync(humans.ToString("#,0", CultureInfo.InvariantCulture));
                await Assertions.Expect(browser.Page.Locator("#chart canvas")).ToBeVisibleAsync();
                firstCharts.Add(await browser.Page.EvaluateAsync<double>("performance.getEntriesByName('urlshortener:first-chart')[0].startTime"));
                if (run == 0)
                {
                    await browser.ScreenshotAsync("standalone-stats-30-days");
                }

                Assert.Empty(browser.ConsoleErrors);
            }
        }

        var (transferred, decoded, requests) = weights[0];
        output.WriteLine($"first load of /dashboard/ (cold cache): {transferred / 1024:F1} KB transferred in {requests} requests ({decoded / 1024:F1} KB decoded)");
        output.WriteLine($"time to first chart, 30 days of stats ({humans} human clicks), cold cache, {Runs} runs: median {Median(firstCharts):F0} ms, min {firstCharts.Min():F0} ms, max {firstCharts.Max():F0} ms");
    }

    private static async Task<(double Transferred, double Decoded, int Requests)> WeightAsync(IPage page)
    {
        var entries = await page.EvaluateAsync<double[][]>(
            "[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(e => [e.transferSize, e.decodedBodySize])");
        return (entries.Sum(e => e[0]), entries.Sum(e => e[1]), entries.Length);
    }

    private static async Task WaitForTotalAsync(IDashboardSite site, string code, int expected)
    {
        var client = site.Client();
        var from = DateTimeOffset.UtcNow.AddDays(-31).ToString("yyyy-MM-dd'T'HH':00:00Z'", CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long total = -1;
        while (DateTime.UtcNow < deadline)
        {
            using var stats = JsonDocument.Parse(await client.GetStringAsync($"/api/links/{code}/stats?from={from}&granularity=day"));
            total = stats.RootElement.GetProperty("total").GetInt64();
            if (total == expected)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the stats read {total} human clicks, not {expected}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
