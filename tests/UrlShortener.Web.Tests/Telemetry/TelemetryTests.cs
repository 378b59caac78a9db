using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UrlShortener.Web.Tests.Clicks;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Telemetry;

/// <summary>The UrlShortener meter tells what a redirect did; OpenTelemetry runs only when an exporter is configured.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_redirect_shows_in_the_cache_and_click_metrics_by_level()
    {
        using var app = new ShortenerApp { Settings = ClickStatsTests<ShortenerApp>.FastPipeline };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/metrics" });
        using var metrics = new AppMetrics(app.Services.GetRequiredService<IMeterFactory>());

        await ClickStatsTests<ShortenerApp>.VisitAsync(app, link.Code, 2);
        (await app.ClientWith(null).GetAsync("/nothere0")).Dispose();
        await ClickStatsTests<ShortenerApp>.WaitForStatsAsync(app, link.Code, string.Empty, s => s.Total >= 2);

        // The batcher counts a batch as published once the queue took it, which may be just after the aggregator read it.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); metrics.Sum("urlshortener.clicks.published") < 2 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(20);
        }

        // The first visit misses L1 and finds the link in the store; the second is an L1 hit; an unknown code misses both.
        Assert.True(metrics.Sum("urlshortener.cache.hits", "l1") >= 1);
        Assert.True(metrics.Sum("urlshortener.cache.misses", "l1") >= 2);
        Assert.True(metrics.Sum("urlshortener.cache.hits", "store") >= 1);
        Assert.True(metrics.Sum("urlshortener.cache.misses", "store") >= 1);
        Assert.Equal(2, metrics.Sum("urlshortener.clicks.recorded"));
        Assert.Equal(2, metrics.Sum("urlshortener.clicks.published"));
        Assert.Equal(2, metrics.Sum("urlshortener.clicks.aggregated"));
    }

    [Fact]
    public void Without_an_exporter_no_open_telemetry_runs()
    {
        using var app = new ShortenerApp();

        Assert.DoesNotContain(app.Services.GetServices<IHostedService>(), s => s.GetType().Name == "TelemetryHostedService");
    }

    [Fact]
    public async Task With_an_otlp_endpoint_open_telemetry_runs_and_an_unreachable_collector_costs_no_request()
    {
        using var app = new ShortenerApp
        {
            Settings = new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" },
        };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/otlp" });

        using var response = await app.ClientWith(null).GetAsync($"/{link.Code}");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Contains(app.Services.GetServices<IHostedService>(), s => s.GetType().Name == "TelemetryHostedService");
    }

    [Theory]
    [InlineData("/abc1234", false)]
    [InlineData("/api/links", true)]
    [InlineData("/api/links/abc1234/stats", true)]
    [InlineData("/readyz", true)]
    [InlineData("/apix", false)]
    public void Only_the_api_health_and_document_are_traced_never_a_visit(string path, bool traced)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Path = path;

        Assert.Equal(traced, UrlShortener.Telemetry.OpenTelemetrySetup.IsTraced(context));
    }

    [Theory]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD", "11111111-2222-3333-4444-555555555555")]
    [InlineData("Authorization=AAD", "")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Application_insights_signs_in_with_the_identity_the_hosts_setting_names(string? setting, string? clientId)
    {
        var exporters = new UrlShortener.Telemetry.TelemetryExporters(null, "InstrumentationKey=00000000-0000-0000-0000-000000000000", setting);

        Assert.Equal(clientId, exporters.EntraClientId());
    }

    /// <summary>The app's own instruments (its meter factory's scope), summed by name and level.</summary>
    private sealed class AppMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<(string Name, string? Level), long> _sums = new();

        public AppMetrics(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "UrlShortener" && instrument.Meter.Scope == scope)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? level = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "level")
                    {
                        level = tag.Value as string;
                    }
                }

                _sums.AddOrUpdate((instrument.Name, level), value, (_, sum) => sum + value);
                if (level is not null)
                {
                    _sums.AddOrUpdate((instrument.Name, null), value, (_, sum) => sum + value);
                }
            });
            _listener.Start();
        }

        public long Sum(string name, string? level = null) => _sums.GetValueOrDefault((name, level));

        public void Dispose() => _listener.Dispose();
    }
}
