using Microsoft.Azure.Functions.Worker;
using UrlShortener.Web.Clicks;

namespace UrlShortener.Functions.Clicks;

/// <summary>
/// The click aggregator: every <see cref="ClickDrainSchedule.Cron"/> the timer (one instance at a time, by
/// the host's singleton lock) drains the click queue for at most <see cref="ClickDrainSchedule.Budget"/>.
/// </summary>
public sealed class ClickFunctions(ClickQueueDrain drain)
{
    [Function("aggregateClicks")]
    public Task Aggregate([TimerTrigger(ClickDrainSchedule.Cron)] TimerInfo timer, CancellationToken cancellationToken) =>
        drain.DrainAsync(ClickDrainSchedule.Budget, cancellationToken);
}
