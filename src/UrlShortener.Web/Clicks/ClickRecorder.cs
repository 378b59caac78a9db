using System.Threading.Channels;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Clicks;

/// <summary>
/// The redirect path's side of click capture: a bounded in-memory buffer that never waits.
/// When it is full (the queue is down or slow) new clicks are dropped and counted in the metric; a
/// line in the log gives their count every <see cref="LogInterval"/> while drops go on.
/// </summary>
public sealed class ClickRecorder
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    private readonly Channel<ClickEvent> _buffer;
    private readonly ClickMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<ClickRecorder> _logger;
    private readonly Lock _reporting = new();
    private long _dropped;
    private long _droppedUnlogged;
    private ITimer? _reporter;

    public ClickRecorder(IOptions<ClickOptions> options, ClickMetrics metrics, TimeProvider clock, ILogger<ClickRecorder> logger)
    {
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _buffer = Channel.CreateBounded<ClickEvent>(new BoundedChannelOptions(options.Value.BufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>Clicks dropped because the buffer was full or closed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal ChannelReader<ClickEvent> Reader => _buffer.Reader;

    public void Record(ClickEvent click)
    {
        if (_buffer.Writer.TryWrite(click))
        {
            _metrics.Recorded();
            return;
        }

        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _droppedUnlogged);
        _metrics.Dropped();
        if (Volatile.Read(ref _reporter) is null)
        {
            StartReporting();
        }
    }

    // A timer only while clicks are dropped: the first line comes one interval after the first drop.
    private void StartReporting()
    {
        lock (_reporting)
        {
            _reporter ??= _clock.CreateTimer(_ => Report(), null, LogInterval, LogInterval);
        }
    }

    private void Report()
    {
        var count = Interlocked.Exchange(ref _droppedUnlogged, 0);
        if (count > 0)
        {
            Log.ClicksDropped(_logger, count, LogInterval.TotalSeconds);
            return;
        }

        lock (_reporting)
        {
            _reporter?.Dispose();
            _reporter = null;
        }
    }

    internal void Close() => _buffer.Writer.TryComplete();
}
