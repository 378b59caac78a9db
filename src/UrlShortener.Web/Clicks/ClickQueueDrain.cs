using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Clicks;

/// <summary>
/// The in-process aggregator of the embedded queue: applies queued messages in order and completes each
/// once applied. A crash between the two applies the message again, which the stats store ignores.
/// A store failure leaves the message queued; the next poll, a moment later, tries it again.
/// </summary>
public sealed class ClickQueueDrain(
    IClickQueue queue,
    ClickAggregator aggregator,
    IOptions<ClickOptions> options,
    TimeProvider clock,
    ILogger<ClickQueueDrain> logger) : BackgroundService
{
    private const int MessagesPerRound = 50;
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.AggregatorPollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var pause = poll;
            try
            {
                if (await DrainRoundAsync(stoppingToken).ConfigureAwait(false) == MessagesPerRound)
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
                pause = PauseAfterFailure;
            }

            try
            {
                await Task.Delay(pause, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<int> DrainRoundAsync(CancellationToken stoppingToken)
    {
        var messages = await queue.ReceiveAsync(MessagesPerRound, stoppingToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            await aggregator.ApplyAsync(message.MessageId, message.Body, stoppingToken).ConfigureAwait(false);
            await queue.CompleteAsync(message, CancellationToken.None).ConfigureAwait(false);
        }

        return messages.Count;
    }
}
