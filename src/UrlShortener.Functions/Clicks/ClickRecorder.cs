using System.Threading.Channels;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Functions.Clicks;

/// <summary>
/// The redirect path's side of click capture: a bounded in-memory buffer that never waits.
/// When it is full (the queue is down or slow) new clicks are dropped and counted.
/// </summary>
public sealed class ClickRecorder
{
    private readonly Channel<ClickEvent> _buffer;
    private long _dropped;

    public ClickRecorder(IOptions<ClickOptions> options)
    {
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
        if (!_buffer.Writer.TryWrite(click))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    internal void Close() => _buffer.Writer.TryComplete();
}
