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
    /// applying a message again, whole or after a failure halfway, changes nothing it already counted.
    /// </summary>
    Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken);

    /// <summary>The stored days of <paramref name="code"/> among <paramref name="days"/>; missing days are left out.</summary>
    Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken);

    /// <summary>All human clicks ever counted for <paramref name="code"/>: one read.</summary>
    Task<long> TotalAsync(string code, CancellationToken cancellationToken);
}
