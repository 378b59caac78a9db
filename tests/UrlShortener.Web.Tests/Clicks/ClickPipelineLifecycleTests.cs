using System.Net;
using System.Text.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Clicks;

public sealed class ClickPipelineLifecycleTests
{
    [Fact]
    public async Task A_graceful_restart_with_clicks_in_flight_loses_none_and_counts_none_twice()
    {
        using var directory = new TempDirectory("clicks");

        string code;
        await using (var before = new ShortenerApp
        {
            SharedDataDirectory = directory.Path,

            // The clicks wait in the buffer: only the shutdown flush can save them.
            Settings = new Dictionary<string, string?> { ["Clicks:LingerMilliseconds"] = "60000", ["Clicks:BatchSize"] = "500" },
        })
        {
            code = (await before.Client().CreateLinkAsync(new { url = "https://example.com/inflight" })).Code;
            await ClickStatsTests<ShortenerApp>.VisitAsync(before, code, 150);
        }

        await using var after = new ShortenerApp { SharedDataDirectory = directory.Path, Settings = ClickStatsTests<ShortenerApp>.FastPipeline };
        var stats = await ClickStatsTests<ShortenerApp>.WaitForStatsAsync(after, code, string.Empty, s => s.Total >= 150);
        await Task.Delay(500);
        stats = await ClickStatsTests<ShortenerApp>.WaitForStatsAsync(after, code, string.Empty, _ => true);

        Assert.Equal(150, stats.Total);
    }
}
