using UrlShortener.Core.Clicks;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Clicks;

/// <summary>Who runs the click drain: a hosted service (the standalone app), or the host's timer (the Functions app).</summary>
public enum ClickDrainDriver
{
    HostedService,
    Timer,
}

/// <summary>
/// The Functions app's drain schedule. Every 10 s a round of at most 7 s: it ends well inside the next tick
/// (the timer is a singleton, so a late round only delays the next one) and far inside the queue's 2-minute
/// lock, so that no message's lock runs out while it waits in a batch. A receive takes up to 100 messages of up
/// to 100 click entries each; <see cref="ClickAggregator.ConcurrentMessages"/> of them are written at a time.
/// </summary>
public static class ClickDrainSchedule
{
    public const string Cron = "*/10 * * * * *";

    public const int MessagesPerReceive = 100;

    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(7);

    /// <summary>How long a receive waits for a first message before the round ends.</summary>
    public static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(1);
}

/// <param name="Received">Messages received.</param>
/// <param name="Completed">Applied and completed.</param>
/// <param name="Abandoned">Given back after a failure: delivered again later.</param>
/// <param name="DeadLettered">Unreadable, set aside.</param>
public sealed record ClickDrainResult(int Received, int Completed, int Abandoned, int DeadLettered);

/// <summary>
/// Drains the click queue (embedded or Service Bus): receives a batch, applies it, then settles each message:
/// completed only once applied, given back on a failure (the queue delivers it again), dead-lettered when it
/// can never be read. A crash between applying and completing delivers the message again, which counts nothing
/// twice. A failure ends the round, so that a store that is down is not hammered.
/// </summary>
public sealed class ClickQueueDrain(IClickQueue queue, ClickAggregator aggregator, TimeProvider clock, ILogger<ClickQueueDrain> logger)
{
    public const string UnreadableReason = "UnreadableClickMessage";

    /// <summary>Receives and applies batches until the queue is empty or <paramref name="budget"/> has passed.</summary>
    public async Task<ClickDrainResult> DrainAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        int received = 0, completed = 0, abandoned = 0, deadLettered = 0;
        while (!cancellationToken.IsCancellationRequested && clock.GetElapsedTime(started) < budget)
        {
            var messages = await queue.ReceiveAsync(ClickDrainSchedule.MessagesPerReceive, ClickDrainSchedule.ReceiveWait, cancellationToken).ConfigureAwait(false);
            if (messages.Count == 0)
            {
                break;
            }

            received += messages.Count;
            var failed = false;
            foreach (var applied in await aggregator.ApplyBatchAsync(messages, cancellationToken).ConfigureAwait(false))
            {
                // Settled even while stopping: an applied message left unsettled only comes again.
                switch (applied.Outcome)
                {
                    case ClickMessageOutcome.Applied:
                        await queue.CompleteAsync(applied.Message, CancellationToken.None).ConfigureAwait(false);
                        completed++;
                        break;
                    case ClickMessageOutcome.Unreadable:
                        await queue.DeadLetterAsync(
                            applied.Message,
                            UnreadableReason,
                            $"Not a click message: {applied.Dropped} entries could not be read (delivery {applied.Message.DeliveryCount}).",
                            CancellationToken.None).ConfigureAwait(false);
                        Log.ClickMessageDeadLettered(logger, applied.Message.MessageId);
                        deadLettered++;
                        break;
                    default:
                        await queue.AbandonAsync(applied.Message, CancellationToken.None).ConfigureAwait(false);
                        abandoned++;
                        failed = true;
                        break;
                }
            }

            if (failed)
            {
                break;
            }
        }

        return new ClickDrainResult(received, completed, abandoned, deadLettered);
    }
}

/// <summary>The standalone app's drain: rounds one after the other, a pause when the queue is empty or a round failed.</summary>
public sealed class ClickQueueDrainService(ClickQueueDrain drain, Microsoft.Extensions.Options.IOptions<ClickOptions> options, TimeProvider clock, ILogger<ClickQueueDrainService> logger)
    : BackgroundService
{
    private static readonly TimeSpan RoundBudget = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.AggregatorPollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                var round = await drain.DrainAsync(RoundBudget, stoppingToken).ConfigureAwait(false);
                pause = round.Abandoned > 0 ? PauseAfterFailure : round.Received == 0 ? poll : TimeSpan.Zero;
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

            if (pause > TimeSpan.Zero)
            {
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
    }
}
