using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Clicks;

/// <summary>
/// Moves clicks from the in-memory buffer to the queue in batches (<see cref="ClickOptions.BatchSize"/>
/// entries, or whatever arrived within <see cref="ClickOptions.LingerMilliseconds"/>). Clicks with the
/// same facts in the same hour become one entry with a count: a hot link's burst costs one entry per
/// kind of visitor, not one per visit. A failed send is retried with backoff while new clicks wait in
/// the buffer (one Polly retry pipeline). On shutdown it flushes everything, after the server has finished its last requests.
/// </summary>
public sealed class ClickBatcher : BackgroundService, IHostedLifecycleService
{
    private readonly ClickRecorder _recorder;
    private readonly IClickPublisher _publisher;
    private readonly ClickMetrics _metrics;
    private readonly ClickOptions _options;
    private readonly int _batchSize;
    private readonly ClickTally _batch = new();
    private readonly Lock _flushStart = new();
    private readonly ResiliencePipeline _retry;
    private readonly ILogger<ClickBatcher> _logger;
    private Task? _flush;

    public ClickBatcher(ClickRecorder recorder, IClickPublisher publisher, ClickMetrics metrics, IOptions<ClickOptions> options, TimeProvider clock, ILogger<ClickBatcher> logger)
    {
        _recorder = recorder;
        _publisher = publisher;
        _metrics = metrics;
        _options = options.Value;
        _batchSize = options.Value.BatchSize ?? ClickOptions.ServiceBusBatchSize;

        // Until the queue takes the batch or the app stops: meanwhile new clicks wait in the buffer, which drops
        // (and counts) what it cannot hold. The queue's own client has retried each send already.
        _retry = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(exception => exception is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = args =>
                {
                    Log.ClickPublishFailed(logger, args.Outcome.Exception!, _batch.Visits, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service has stopped, the web server included: no request can add a click now.</summary>
    /// <remarks>
    /// The host may be stopped twice at once (WebApplicationFactory does it): every call awaits the one
    /// flush, or both would send the same batch under two message ids and it would count twice.
    /// </remarks>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        lock (_flushStart)
        {
            return _flush ??= FlushAsync();
        }
    }

    private async Task FlushAsync()
    {
        _recorder.Close();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(_options.ShutdownFlushSeconds));
        try
        {
            while (_recorder.Reader.TryRead(out var click))
            {
                _batch.Add(click);
                if (_batch.Entries >= _batchSize)
                {
                    await SendAsync(deadline.Token).ConfigureAwait(false);
                }
            }

            if (_batch.Entries > 0)
            {
                await SendAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The queue did not take them in time: say how many are lost rather than hang the shutdown.
            var lost = _batch.Visits;
            while (_recorder.Reader.TryRead(out _))
            {
                lost++;
            }

            Log.ClicksLostAtShutdown(_logger, lost, _options.ShutdownFlushSeconds);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var linger = TimeSpan.FromMilliseconds(_options.LingerMilliseconds);
        try
        {
            while (await _recorder.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                using (var lingering = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    lingering.CancelAfter(linger);
                    try
                    {
                        while (_batch.Entries < _batchSize && await _recorder.Reader.WaitToReadAsync(lingering.Token).ConfigureAwait(false))
                        {
                            while (_batch.Entries < _batchSize && _recorder.Reader.TryRead(out var click))
                            {
                                _batch.Add(click);
                            }
                        }
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // The batch lingered long enough: send what there is.
                    }
                }

                await SendAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StoppedAsync flushes what is left, the batch in hand included.
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        if (_batch.Entries == 0)
        {
            return;
        }

        // One id for the batch across every attempt: a send that landed although it failed counts once.
        var batch = (Id: Guid.NewGuid().ToString("N"), Clicks: _batch.ToList(), Publisher: _publisher);
        await _retry.ExecuteAsync(
            static async (batch, token) => await batch.Publisher.PublishAsync(batch.Id, batch.Clicks, token).ConfigureAwait(false),
            batch,
            cancellationToken).ConfigureAwait(false);
        _metrics.Published(_batch.Visits);
        _batch.Clear();
    }
}

/// <summary>The clicks of one message: one entry per (code, hour, referrer, browser, OS, device, country, bot, campaign, QR, visitor), with a count.</summary>
internal sealed class ClickTally
{
    // The first click of each entry and the visits added since: adding a click allocates nothing.
    private readonly Dictionary<Facts, (ClickEvent First, int Count)> _entries = [];

    /// <summary>Entries: what a message's size goes by.</summary>
    public int Entries => _entries.Count;

    /// <summary>Visits the entries stand for.</summary>
    public long Visits { get; private set; }

    public void Add(ClickEvent click)
    {
        var facts = new Facts(click.Code, click.Time.UtcTicks / TimeSpan.TicksPerHour, click.ReferrerHost, click.Browser, click.OperatingSystem, click.Device, click.Country, click.IsBot, click.Campaign, click.IsQrScan, click.Visitor);
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, facts, out var exists);
        // A batch holds at most a linger's worth of clicks (or, at shutdown, the buffer's): far below int's range.
        entry = exists ? (entry.First, entry.Count + click.Count) : (click, click.Count);
        Visits += click.Count;
    }

    public List<ClickEvent> ToList() => [.. _entries.Values.Select(e => e.Count == e.First.Count ? e.First : e.First with { Count = e.Count })];

    public void Clear()
    {
        _entries.Clear();
        Visits = 0;
    }

    private readonly record struct Facts(string Code, long Hour, string? ReferrerHost, string Browser, string OperatingSystem, string Device, string? Country, bool IsBot, string? Campaign, bool IsQrScan, int? Visitor);
}
