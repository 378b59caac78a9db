using Microsoft.Extensions.Options;
using UrlShortener.Functions.Hosting;
using UrlShortener.Functions.Storage.Sqlite;

namespace UrlShortener.Functions.Clicks;

/// <summary>
/// The in-process aggregator of the embedded queue: applies queued messages in order and removes each
/// once applied. A crash between the two applies the message again, which the stats store ignores.
/// A store failure leaves the message queued and tries again later.
/// </summary>
public sealed class EmbeddedClickAggregation(
    SqliteClickQueue queue,
    ClickAggregator aggregator,
    IOptions<ClickOptions> options,
    ILogger<EmbeddedClickAggregation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.AggregatorPollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = await queue.PeekAsync(50, stoppingToken).ConfigureAwait(false);
                foreach (var (seq, messageId, body) in messages)
                {
                    await aggregator.ApplyAsync(messageId, body, stoppingToken).ConfigureAwait(false);
                    await queue.RemoveAsync(seq, CancellationToken.None).ConfigureAwait(false);
                }

                if (messages.Count == 50)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Log.AggregationFailed(logger, exception);
                poll = TimeSpan.FromSeconds(2);
            }

            try
            {
                await Task.Delay(poll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            poll = TimeSpan.FromMilliseconds(options.Value.AggregatorPollMilliseconds);
        }
    }
}
