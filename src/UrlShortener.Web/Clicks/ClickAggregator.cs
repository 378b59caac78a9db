using System.Security.Cryptography;
using System.Text;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Links;
using UrlShortener.Web.Caching;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Clicks;

/// <summary>
/// Applies queue messages to the stats: reads the clicks, drops (and logs) those that are malformed,
/// out of time or for unknown codes, rolls the rest up by (code, day) and adds them idempotently.
/// Used by the embedded loop and by the Functions trigger alike.
/// </summary>
public sealed class ClickAggregator(IStatsStore stats, LinkLookup links, LinkService linkService, ClickMetrics metrics, TimeProvider clock, ILogger<ClickAggregator> logger)
{
    /// <param name="messageId">The queue's id of the message (null: derived from the body, so a redelivery still matches).</param>
    /// <param name="body">The message body.</param>
    /// <param name="cancellationToken">Stops the work; the message is then not settled and comes again.</param>
    /// <returns>How many clicks were counted and how many dropped.</returns>
    public async Task<(int Counted, int Dropped)> ApplyAsync(string? messageId, string body, CancellationToken cancellationToken)
    {
        var id = StableId(messageId, body);
        var (clicks, dropped) = ClickMessage.Parse(body);
        if (dropped > 0 && clicks.Count == 0)
        {
            Log.ClickMessageUnreadable(logger, id);
            metrics.Rejected(dropped);
            return (0, dropped);
        }

        var now = clock.GetUtcNow();
        var counted = new List<ClickEvent>(clicks.Count);

        // Each link of the message is looked up once: to refuse unknown codes, then to enforce caps.
        var known = new Dictionary<string, ShortLink?>(StringComparer.Ordinal);
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
                counted.Add(ClickValidation.WithStorableDimensions(click));
            }
            else
            {
                dropped += click.Count is >= 1 and <= ClickValidation.MaxCount ? click.Count : 1;
                Log.ClickDropped(logger, id, problem);
            }
        }

        if (counted.Count > 0)
        {
            await stats.ApplyAsync(id, DailyClicks.Roll(counted), cancellationToken).ConfigureAwait(false);

            // Links with a cap: one total read each, and marked exhausted once the count reaches it.
            foreach (var code in counted.Where(c => !c.IsBot).Select(c => c.Code).Distinct(StringComparer.Ordinal))
            {
                if (known[code] is { MaxClicks: not null, ExhaustedAt: null })
                {
                    await linkService.EnforceMaxClicksAsync(code, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var total = counted.Sum(c => c.Count);
        metrics.Aggregated(total);
        metrics.Rejected(dropped);
        return (total, dropped);
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
}
