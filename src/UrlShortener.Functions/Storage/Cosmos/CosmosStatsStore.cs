using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Functions.Storage.Cosmos;

/// <summary>
/// Hourly stats in container <c>stats</c> (partition = code): one document per (code, UTC day) with 24
/// hourly counters and the breakdowns, and one <c>total</c> document per code. Counts are added with
/// Patch Increment; each patch (at most 10 operations: 9 increments and the marker) appends its
/// message marker in the same conditional patch, so a message applied again changes nothing.
/// </summary>
public sealed class CosmosStatsStore(CosmosDatabase database) : IStatsStore
{
    private const int MaxOperationsPerPatch = 10;
    private const int MaxConcurrentLinks = 16;

    /// <summary>
    /// Up to this many days (the default "last 24 hours" touches two), stats are point reads: about 1 RU each,
    /// against a query's 3 or more, and without the SDK's client-side parse of the query text (ANTLR, about
    /// 300 KB allocated per query in the benchmark's allocation trace). Longer ranges are one query.
    /// </summary>
    private const int MaxPointReadDays = 4;

    public Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken) =>
        // Each link's documents are its own: links are patched concurrently, a link's documents in turn.
        Parallel.ForEachAsync(
            days.GroupBy(d => d.Code),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentLinks, CancellationToken = cancellationToken },
            async (link, ct) =>
            {
                foreach (var day in link)
                {
                    var dayKey = DayKey(day.Day);
                    await PatchOnceAsync(day.Code, dayKey, DayOperations(day), $"{messageId}:{dayKey}", () => new StatsDayDocument { Id = dayKey, Code = day.Code, Day = dayKey }, ct).ConfigureAwait(false);
                }

                List<PatchOperation> totals = [PatchOperation.Increment("/humans", link.Sum(d => d.Humans)), PatchOperation.Increment("/bots", link.Sum(d => d.Bots))];
                await PatchOnceAsync(link.Key, StatsTotalDocument.DocumentId, totals, messageId, () => new StatsTotalDocument { Code = link.Key }, ct).ConfigureAwait(false);
            });

    private static List<PatchOperation> DayOperations(DailyClicks day)
    {
        var operations = new List<PatchOperation>();
        for (var hour = 0; hour < 24; hour++)
        {
            if (day.Hours[hour] > 0)
            {
                operations.Add(PatchOperation.Increment($"/hours/{hour:00}", day.Hours[hour]));
            }
        }

        if (day.Bots > 0)
        {
            operations.Add(PatchOperation.Increment("/bots", day.Bots));
        }

        foreach (var (dimension, counts) in day.Breakdowns())
        {
            operations.AddRange(counts.Select(c => PatchOperation.Increment($"/{dimension}/{c.Key}", c.Value)));
        }

        return operations;
    }

    public async Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken)
    {
        if (days.Count == 0)
        {
            return [];
        }

        var partition = new PartitionKey(code);
        if (days.Count <= MaxPointReadDays)
        {
            var read = await Task.WhenAll(days.Distinct().Select(day => ReadDayAsync(partition, DayKey(day), cancellationToken))).ConfigureAwait(false);
            return [.. read.OfType<DailyClicks>()];
        }

        var query = new QueryDefinition("SELECT * FROM c WHERE c.code = @code AND c.day >= @first AND c.day <= @last")
            .WithParameter("@code", code)
            .WithParameter("@first", DayKey(days.Min()))
            .WithParameter("@last", DayKey(days.Max()));
        var result = new List<DailyClicks>();
        using var iterator = database.Stats.GetItemQueryIterator<StatsDayDocument>(query, requestOptions: new QueryRequestOptions { PartitionKey = partition });
        while (iterator.HasMoreResults)
        {
            foreach (var document in await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(document.ToDailyClicks());
            }
        }

        return result;
    }

    private async Task<DailyClicks?> ReadDayAsync(PartitionKey partition, string dayKey, CancellationToken cancellationToken) =>
        (await database.FindAsync<StatsDayDocument>(database.Stats, dayKey, partition, cancellationToken).ConfigureAwait(false))?.Document.ToDailyClicks();

    public async Task<long> TotalAsync(string code, CancellationToken cancellationToken) =>
        (await database.FindAsync<StatsTotalDocument>(database.Stats, StatsTotalDocument.DocumentId, new PartitionKey(code), cancellationToken).ConfigureAwait(false))?.Document.Humans ?? 0;

    private static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private async Task PatchOnceAsync<TDocument>(
        string code, string documentId, List<PatchOperation> operations, string marker, Func<TDocument> create, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(code);
        var chunks = operations.Chunk(MaxOperationsPerPatch - 1).ToList();
        for (var part = 0; part < chunks.Count; part++)
        {
            var applied = $"{marker}#{part}";
            PatchOperation[] patch = [.. chunks[part], PatchOperation.Add("/applied/-", applied)];
            var options = new PatchItemRequestOptions { FilterPredicate = $"FROM c WHERE NOT ARRAY_CONTAINS(c.applied, '{applied}')" };
            for (var attempt = 0; ; attempt++)
            {
                using var response = await database.Stats.PatchItemStreamAsync(documentId, partition, patch, options, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    break; // This part of the message was applied before.
                }

                if (response.StatusCode != HttpStatusCode.NotFound || attempt > 0)
                {
                    response.EnsureSuccessStatusCode();
                    break;
                }

                // The first click of the day (or of the link): create the document, then patch it.
                await database.TryCreateAsync(database.Stats, create(), partition, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A link's clicks on one UTC day in container <c>stats</c>; id = day (yyyyMMdd).</summary>
internal sealed class StatsDayDocument
{
    public string Id { get; set; } = string.Empty;
    public string Code { get; set; } = string.Empty;
    public string Day { get; set; } = string.Empty;
    public Dictionary<string, long> Hours { get; set; } = [];
    public long Bots { get; set; }
    public Dictionary<string, long> Referrers { get; set; } = [];
    public Dictionary<string, long> Browsers { get; set; } = [];
    public Dictionary<string, long> OperatingSystems { get; set; } = [];
    public Dictionary<string, long> Devices { get; set; } = [];
    public Dictionary<string, long> Countries { get; set; } = [];

    /// <summary>Markers of the message parts already added: the idempotency record.</summary>
    public List<string> Applied { get; set; } = [];

    public DailyClicks ToDailyClicks()
    {
        var day = new DailyClicks(Code, DateOnly.ParseExact(Day, "yyyyMMdd", CultureInfo.InvariantCulture)) { Bots = Bots };
        foreach (var (hour, clicks) in Hours)
        {
            if (int.TryParse(hour, NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h is >= 0 and < 24)
            {
                day.Hours[h] = clicks;
            }
        }

        foreach (var (source, target) in new[] { (Referrers, day.Referrers), (Browsers, day.Browsers), (OperatingSystems, day.OperatingSystems), (Devices, day.Devices), (Countries, day.Countries) })
        {
            foreach (var (name, clicks) in source)
            {
                target[name] = clicks;
            }
        }

        return day;
    }
}

/// <summary>All clicks of a link, one point read away.</summary>
internal sealed class StatsTotalDocument
{
    public const string DocumentId = "total";

    public string Id { get; set; } = DocumentId;
    public string Code { get; set; } = string.Empty;
    public long Humans { get; set; }
    public long Bots { get; set; }
    public List<string> Applied { get; set; } = [];
}
