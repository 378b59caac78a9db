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

    [Theory]
    [InlineData("servicebus-batch-request.json")]
    [InlineData("servicebus-single-request.json")]
    public async Task The_aggregator_accepts_the_hosts_own_envelopes_and_answers_the_invocation_shape(string vector)
    {
        using var app = new ShortenerApp { Settings = ClickStatsTests<ShortenerApp>.FastPipeline };
        var envelope = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Contracts", "functions-host", vector));

        using var response = await app.ClientWith(null).PostAsync("/ClickAggregator", HostEnvelope.Content(envelope));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        // The vectors' clicks are from 2025 and for codes that do not exist here: read, then dropped.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Contains("dropped", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
    }

    [Fact]
    public async Task The_aggregator_is_not_served_outside_the_functions_host()
    {
        using var app = new ShortenerApp();

        using var response = await app.ClientWith(null).PostAsync("/ClickAggregator", HostEnvelope.Content(HostEnvelope.ServiceBusBatch()));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
