namespace UrlShortener.Web.Clicks;

/// <summary>The <c>Clicks</c> configuration section: capture, batching, aggregation.</summary>
public sealed class ClickOptions
{
    public const string Section = "Clicks";

    /// <summary>Record clicks at all. Off: redirects only.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Clicks held in memory at most; beyond it new clicks are dropped and counted, never waited for.</summary>
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>The default <see cref="BatchSize"/> on Service Bus: 100 entries stay far below a message's 256 KB.</summary>
    public const int ServiceBusBatchSize = 100;

    /// <summary>
    /// The default <see cref="BatchSize"/> on the embedded queue, where a message is a row: large, so that a batch
    /// lasts its whole linger and clicks spread over many links still merge (docs/benchmarks.md).
    /// </summary>
    public const int EmbeddedBatchSize = 10_000;

    /// <summary>Most entries (clicks with the same facts in the same hour) in one queue message; null: the queue's default.</summary>
    public int? BatchSize { get; set; }

    /// <summary>How long a click may wait for its batch to fill before the batch is sent anyway.</summary>
    public int LingerMilliseconds { get; set; } = 1000;

    /// <summary>A request header carrying the visitor's country as ISO 3166 alpha-2 (e.g. CF-IPCountry, X-Azure-ClientCountry); none by default.</summary>
    public string? CountryHeader { get; set; }

    /// <summary>At shutdown, how long the buffered clicks may take to reach the queue before they are given up (and logged).</summary>
    public int ShutdownFlushSeconds { get; set; } = 20;

    /// <summary>How often the embedded aggregator looks at its queue.</summary>
    public int AggregatorPollMilliseconds { get; set; } = 250;
}
