using System.Diagnostics.Metrics;

namespace UrlShortener.Functions.Clicks;

/// <summary>The click pipeline's counters in the <c>UrlShortener</c> meter.</summary>
public sealed class ClickMetrics
{
    public const string MeterName = "UrlShortener";

    private readonly Counter<long> _recorded;
    private readonly Counter<long> _dropped;

    public ClickMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _recorded = meter.CreateCounter<long>("urlshortener.clicks.recorded", "{click}", "Clicks taken into the buffer.");
        _dropped = meter.CreateCounter<long>("urlshortener.clicks.dropped", "{click}", "Clicks dropped because the buffer was full or closed.");
    }

    public void Recorded() => _recorded.Add(1);

    public void Dropped() => _dropped.Add(1);
}
