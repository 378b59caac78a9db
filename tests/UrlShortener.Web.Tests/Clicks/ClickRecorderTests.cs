using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Clicks;

namespace UrlShortener.Web.Tests.Clicks;

/// <summary>A full click buffer drops clicks, and says so: in the metric at once, in the log every few seconds.</summary>
public sealed class ClickRecorderTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly LogLines _log = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private long _recorded;
    private long _dropped;

    public ClickRecorderTests()
    {
        // Only this test's meters: apps of tests running beside it record clicks under the same meter name.
        var meters = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ClickMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "urlshortener.clicks.dropped")
            {
                Interlocked.Add(ref _dropped, value);
            }
            else if (instrument.Name == "urlshortener.clicks.recorded")
            {
                Interlocked.Add(ref _recorded, value);
            }
        });
        _listener.Start();
    }

    [Fact]
    public void A_full_buffer_counts_every_dropped_click_and_logs_one_line_with_the_count_per_interval()
    {
        var recorder = new ClickRecorder(Options.Create(new ClickOptions { BufferCapacity = 5 }), new ClickMetrics(_services.GetRequiredService<IMeterFactory>()), _clock, _log);

        for (var i = 0; i < 12; i++)
        {
            recorder.Record(Click());
        }

        Assert.Equal(5, Interlocked.Read(ref _recorded));
        Assert.Equal(7, Interlocked.Read(ref _dropped));
        Assert.Equal(7, recorder.Dropped);
        Assert.Empty(_log.Lines);

        _clock.Advance(ClickRecorder.LogInterval);
        Assert.Equal(["7 clicks dropped in the last 5 s: the click buffer is full, so the queue is down or slower than the visits"], _log.Lines);

        _clock.Advance(ClickRecorder.LogInterval);
        Assert.Single(_log.Lines);

        for (var i = 0; i < 3; i++)
        {
            recorder.Record(Click());
        }

        _clock.Advance(ClickRecorder.LogInterval);
        Assert.Equal(2, _log.Lines.Count);
        Assert.StartsWith("3 clicks dropped", _log.Lines[1], StringComparison.Ordinal);
        Assert.Equal(10, Interlocked.Read(ref _dropped));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private ClickEvent Click() => new("abc", _clock.GetUtcNow(), null, "Chrome", "Windows", "Desktop", null, false);

    private sealed class LogLines : ILogger<ClickRecorder>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
