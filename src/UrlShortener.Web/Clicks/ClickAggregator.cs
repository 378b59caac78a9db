using System.Security.Cryptography;
using System.Text;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Links;
using UrlShortener.Web.Caching;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Clicks;

/// <summary>What became of one queue message: applied (settle it), unreadable (dead-letter it), or failed (give it back).</summary>
public enum ClickMessageOutcome
{
    Applied,
    Unreadable,
    Failed,
}

public sealed record AppliedClickMessage(QueuedClickMessage Message, ClickMessageOutcome Outcome, int Counted, int Dropped);

/// <summary>
/// Applies queue messages to the stats: reads the clicks, drops (and logs) those that are malformed,
/// out of time or for unknown codes, rolls the rest up by (code, day) and adds them idempotently.
/// Used by the drain of either queue, in either host.
/// </summary>
public sealed class ClickAggregator(IStatsStore stats, LinkLookup links, LinkService linkService, ClickMetrics metrics, TimeProvider clock, ILogger<ClickAggregator> logger)
{
    /// <summary>How many messages of a batch are written to the stats store at once.</summary>
    public const int ConcurrentMessages = 8;

    /// <summary>
    /// Applies a receive batch. Work is shared across its messages where that saves store calls: each link is
    /// looked up once, messages are written <see cref="ConcurrentMessages"/> at a time (the embedded store commits
    /// them together), and a capped link's total is read and enforced once. Each message's clicks are still
    /// written under the message's own id, which is what makes a redelivery, whole or after failing halfway,
    /// count nothing twice. A message fails alone; a failed cap check fails the messages of that link only.
    /// </summary>
    public async Task<IReadOnlyList<AppliedClickMessage>> ApplyBatchAsync(IReadOnlyList<QueuedClickMessage> messages, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var known = new Dictionary<string, ShortLink?>(StringComparer.Ordinal);
        var work = new Work[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            work[i] = await ReadAsync(messages[i], now, known, cancellationToken).ConfigureAwait(false);
        }

        await Parallel.ForEachAsync(
            work.Where(w => w.Outcome == ClickMessageOutcome.Applied && w.Counted.Count > 0),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentMessages, CancellationToken = cancellationToken },
            async (w, ct) =>
            {
                try
                {
                    await stats.ApplyAsync(w.Id, DailyClicks.Roll(w.Counted), ct).ConfigureAwait(false);
                }
                catch (Exception exception) when (!ct.IsCancellationRequested)
                {
                    Log.AggregationFailed(logger, exception);
                    w.Outcome = ClickMessageOutcome.Failed;
                }
            }).ConfigureAwait(false);

        // Links with a cap: one total read each per batch, and marked exhausted once the count reaches it.
        var capped = work.Where(w => w.Outcome == ClickMessageOutcome.Applied)
            .SelectMany(w => w.Counted.Where(c => !c.IsBot).Select(c => c.Code))
            .Distinct(StringComparer.Ordinal)
            .Where(code => known[code] is { MaxClicks: not null, ExhaustedAt: null });
        foreach (var code in capped)
        {
            try
            {
                await linkService.EnforceMaxClicksAsync(code, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Log.AggregationFailed(logger, exception);
                foreach (var w in work.Where(w => w.Counted.Any(c => c.Code == code)))
                {
                    w.Outcome = ClickMessageOutcome.Failed;
                }
            }
        }

        var results = new AppliedClickMessage[work.Length];
        for (var i = 0; i < work.Length; i++)
        {
            var w = work[i];
            var counted = w.Counted.Sum(c => c.Count);
            if (w.Outcome != ClickMessageOutcome.Failed)
            {
                metrics.Aggregated(w.Outcome == ClickMessageOutcome.Applied ? counted : 0);
                metrics.Rejected(w.Dropped);
            }

            results[i] = new AppliedClickMessage(w.Message, w.Outcome, w.Outcome == ClickMessageOutcome.Applied ? counted : 0, w.Dropped);
        }

        return results;
    }

    private async Task<Work> ReadAsync(QueuedClickMessage message, DateTimeOffset now, Dictionary<string, ShortLink?> known, CancellationToken cancellationToken)
    {
        var id = StableId(message.MessageId, message.Body);
        var (clicks, dropped) = ClickMessage.Parse(message.Body);
        var work = new Work(message, id);
        if (dropped > 0 && clicks.Count == 0)
        {
            work.Outcome = ClickMessageOutcome.Unreadable;
            work.Dropped = dropped;
            return work;
        }

        try
        {
            foreach (var click in clicks)
            {
                var problem = ClickValidation.Check(click, now);
                if (problem is null)
                {
                    if (!known.TryGetValue(click.Code, out var link))
                    {
                        known[click.Code] = link = await links.FindAsync(click.Code, cancellationToken).ConfigureAwait(false);
                    }

                    problem = link is null ? "the code is unknown" : null;
                }

                if (problem is null)
                {
                    work.Counted.Add(ClickValidation.WithStorableDimensions(click));
                }
                else
                {
                    dropped += click.Count is >= 1 and <= ClickValidation.MaxCount ? click.Count : 1;
                    Log.ClickDropped(logger, id, problem);
                }
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Log.AggregationFailed(logger, exception);
            work.Outcome = ClickMessageOutcome.Failed;
        }

        work.Dropped = dropped;
        return work;
    }

    // Stores keep ids in conditions and keys: letters, digits and a few marks only, else a hash of it.
    private static string StableId(string? messageId, string body)
    {
        if (messageId is { Length: > 0 and <= 100 } && messageId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            return messageId;
        }

        var source = messageId is { Length: > 0 } ? messageId : body;
        return "h-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..40];
    }

    private sealed class Work(QueuedClickMessage message, string id)
    {
        public QueuedClickMessage Message { get; } = message;

        public string Id { get; } = id;

        public List<ClickEvent> Counted { get; } = [];

        public int Dropped { get; set; }

        public ClickMessageOutcome Outcome { get; set; } = ClickMessageOutcome.Applied;
    }
}
