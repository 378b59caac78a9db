namespace UrlShortener.Core.Clicks;

/// <summary>Sends a batch of clicks towards the aggregator (a durable queue: SQLite, or Service Bus).</summary>
public interface IClickPublisher
{
    /// <summary>
    /// Durably enqueues <paramref name="clicks"/>; throws when the queue cannot take them. The caller sends a
    /// batch again under the same <paramref name="batchId"/> until it is taken, and the queue's message ids come
    /// from it: a batch that landed although the call failed is then counted once.
    /// </summary>
    Task PublishAsync(string batchId, IReadOnlyList<ClickEvent> clicks, CancellationToken cancellationToken);
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

/// <summary>Where the aggregator takes click messages from, oldest first; a message leaves the queue only once completed.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the click queue the design names; it is no System.Collections queue.")]
public interface IClickQueue
{
    /// <summary>Up to <paramref name="maxMessages"/> of the oldest messages not yet completed.</summary>
    Task<IReadOnlyList<QueuedClickMessage>> ReceiveAsync(int maxMessages, CancellationToken cancellationToken);

    /// <summary>Removes a message once its clicks are applied.</summary>
    Task CompleteAsync(QueuedClickMessage message, CancellationToken cancellationToken);
}

/// <summary>One message of the click queue: its id (what makes a redelivery count once), its body and its place in the queue.</summary>
public sealed record QueuedClickMessage(string MessageId, string Body, long SequenceNumber);
