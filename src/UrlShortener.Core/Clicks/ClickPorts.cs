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

/// <summary>
/// Where the aggregator takes click messages from, oldest first (the embedded queue, or Service Bus in PeekLock).
/// A message leaves the queue only once completed; until then it is delivered again, after an abandon, a lock
/// that expired or a crash.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the click queue the design names; it is no System.Collections queue.")]
public interface IClickQueue
{
    /// <summary>Up to <paramref name="maxMessages"/> messages, locked for this receiver; waits up to <paramref name="maxWait"/> for the first.</summary>
    Task<IReadOnlyList<QueuedClickMessage>> ReceiveAsync(int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Removes a message once its clicks are applied. A lock lost meanwhile is no error: the message comes again and counts nothing twice.</summary>
    Task CompleteAsync(QueuedClickMessage message, CancellationToken cancellationToken);

    /// <summary>Gives a message back to be delivered again (its delivery count rises) after a failure that may pass.</summary>
    Task AbandonAsync(QueuedClickMessage message, CancellationToken cancellationToken);

    /// <summary>Sets aside, for a person to look at, a message that can never be applied.</summary>
    Task DeadLetterAsync(QueuedClickMessage message, string reason, string description, CancellationToken cancellationToken);
}

/// <summary>One message of the click queue: its id (what makes a redelivery count once), its body and its place in the queue.</summary>
public sealed record QueuedClickMessage(string MessageId, string Body, long SequenceNumber)
{
    /// <summary>How many times the queue has handed this message out, this time included.</summary>
    public int DeliveryCount { get; init; } = 1;

    /// <summary>What the queue needs to settle this delivery (the received message, for Service Bus).</summary>
    public object? Receipt { get; init; }
}
