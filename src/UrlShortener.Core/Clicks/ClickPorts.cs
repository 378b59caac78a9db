namespace UrlShortener.Core.Clicks;

/// <summary>Sends a batch of clicks towards the aggregator (a durable queue: SQLite, or Service Bus).</summary>
public interface IClickPublisher
{
    /// <summary>Durably enqueues <paramref name="clicks"/>; throws when the queue cannot take them.</summary>
    Task PublishAsync(IReadOnlyList<ClickEvent> clicks, CancellationToken cancellationToken);
}

/// <summary>Where hourly stats live (SQLite, or Cosmos DB container <c>stats</c>).</summary>
public interface IStatsStore
{
    /// <summary>
    /// Adds one queue message's clicks, grouped by (code, day). Idempotent by <paramref name="messageId"/>:
    /// applying a message again, whole or after a failure halfway, changes nothing it already counted, for
    /// at least <see cref="RedeliveryWindow"/> after it was applied. The store forgets older ids, so that
    /// what it keeps for a link clicked all day long stays bounded.
    /// </summary>
    Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken);

    /// <summary>The stored days of <paramref name="code"/> among <paramref name="days"/>; missing days are left out.</summary>
    Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken);

    /// <summary>All human clicks ever counted for <paramref name="code"/>: one read.</summary>
    Task<long> TotalAsync(string code, CancellationToken cancellationToken);

    /// <summary>
    /// How long after applying a message a store still recognises it. A queue delivers a message again
    /// only after a failed or lost attempt: on Service Bus within lock duration × MaxDeliveryCount
    /// (2 minutes × 10 in <c>infra/</c>); on the embedded queue, as the first message after a restart.
    /// </summary>
    public static readonly TimeSpan RedeliveryWindow = TimeSpan.FromHours(1);
}
