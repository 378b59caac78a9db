using System.Diagnostics.Metrics;

namespace UrlShortener.Web.Clicks;

/// <summary>The click pipeline's counters in the <c>UrlShortener</c> meter, from the redirect to the stats.</summary>
public sealed class ClickMetrics
{
    public const string MeterName = "UrlShortener";

    private readonly Counter<long> _recorded;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _published;
    private readonly Counter<long> _aggregated;
    private readonly Counter<long> _rejected;

    public ClickMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _recorded = meter.CreateCounter<long>("urlshortener.clicks.recorded", "{click}", "Clicks taken into the buffer.");
        _dropped = meter.CreateCounter<long>("urlshortener.clicks.dropped", "{click}", "Clicks dropped because the buffer was full or closed.");
        _published = meter.CreateCounter<long>("urlshortener.clicks.published", "{click}", "Clicks the click queue took.");
        _aggregated = meter.CreateCounter<long>("urlshortener.clicks.aggregated", "{click}", "Clicks counted into the stats.");
        _rejected = meter.CreateCounter<long>("urlshortener.clicks.rejected", "{click}", "Queued clicks the aggregator refused: unreadable, out of time, or for unknown codes.");
    }

    public void Recorded() => _recorded.Add(1);

    public void Dropped() => _dropped.Add(1);

    public void Published(long clicks) => _published.Add(clicks);

    public void Aggregated(long clicks) => _aggregated.Add(clicks);

    public void Rejected(long clicks) => _rejected.Add(clicks);
}
