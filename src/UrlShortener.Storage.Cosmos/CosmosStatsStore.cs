using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Storage.Cosmos;

/// <summary>
/// Hourly stats in container <c>stats</c> (partition = code): one document per (code, UTC day) with 24
/// hourly counters and the breakdowns, and one <c>total</c> document per code. Counts are added with
/// Patch Increment; each patch (at most 10 operations: 9 increments and the id) records the id of its
/// message part in the same conditional patch, so a message applied again changes nothing. The ids are
/// kept for <see cref="IStatsStore.RedeliveryWindow"/> to twice that (see <see cref="AppliedParts"/>):
/// a link clicked every second does not grow its documents towards Cosmos DB's 2 MB item limit.
/// A day's unique visitors are a sketch in a third document, <c>visitors-yyyyMMdd</c>, merged under its ETag.
/// </summary>
public sealed class CosmosStatsStore(CosmosDatabase database, TimeProvider clock) : IStatsStore
{
    private const int MaxOperationsPerPatch = 10;
    private const int MaxAttemptsPerPart = 8;
    private const int MaxConcurrentLinks = 16;

    /// <summary>
    /// Up to this many days (the default "last 24 hours" touches two), stats are point reads: about 1 RU each,
    /// against a query's 3 or more, and without the SDK's client-side parse of the query text (ANTLR, about
    /// 300 KB allocated per query in the benchmark's allocation trace). Longer ranges are one query.
    /// </summary>
    private const int MaxPointReadDays = 4;

    // Breakdowns added after day documents were first stored, in the order they came.
    private static readonly string[] LaterBreakdowns = ["campaigns", "sources"];
    private const int MaxEnsuredDays = 100_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Code, string Day), bool> _ensuredDays = new();

    public Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(ApplyDaysAsync(messageId, days, cancellationToken));

    public Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(ReadDaysAsync(code, days, cancellationToken));

    public Task<long> TotalAsync(string code, CancellationToken cancellationToken) => CosmosFailures.Guard(ReadTotalAsync(code, cancellationToken));

    private Task ApplyDaysAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken)
    {
        var marker = Marker(messageId);

        // Each link's documents are its own: links are patched concurrently, a link's documents in turn.
        return Parallel.ForEachAsync(
            days.GroupBy(d => d.Code),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentLinks, CancellationToken = cancellationToken },
            async (link, ct) =>
            {
                foreach (var day in link)
                {
                    var dayKey = DayKey(day.Day);
                    await EnsureBreakdownsAsync(day, dayKey, ct).ConfigureAwait(false);

                    await PatchOnceAsync(day.Code, dayKey, DayOperations(day), marker, applied => new NewStatsDayDocument { Id = dayKey, Code = day.Code, Day = dayKey, Applied = applied }, ct).ConfigureAwait(false);
                    if (day.Visitors is { } visitors)
                    {
                        await MergeVisitorsAsync(day.Code, dayKey, visitors, ct).ConfigureAwait(false);
                    }
                }

                List<PatchOperation> totals = [PatchOperation.Increment("/humans", link.Sum(d => d.Humans)), PatchOperation.Increment("/bots", link.Sum(d => d.Bots))];
                await PatchOnceAsync(link.Key, StatsTotalDocument.DocumentId, totals, marker, applied => new NewStatsTotalDocument { Code = link.Key, Applied = applied }, ct).ConfigureAwait(false);
            });
    }

    /// <summary>
    /// A message's id in the documents it adds to: 64 bits of the SHA-256 of its queue id, in 16 lowercase hex
    /// digits (a Service Bus id has 32; lowercase, as the emulator lowercases a patch's condition). Two of the
    /// messages in one document's two hours share one with a chance far below 1e-9.
    /// </summary>
    private static string Marker(string messageId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)).AsSpan(0, 8));

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

    private async Task<IReadOnlyList<DailyClicks>> ReadDaysAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken)
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
        var visitorsQuery = new QueryDefinition("SELECT * FROM c WHERE c.code = @code AND c.visitorsDay >= @first AND c.visitorsDay <= @last")
            .WithParameter("@code", code)
            .WithParameter("@first", DayKey(days.Min()))
            .WithParameter("@last", DayKey(days.Max()));
        var found = QueryAsync<StatsDayDocument>(query, partition, cancellationToken);
        var sketches = QueryAsync<StatsVisitorsDocument>(visitorsQuery, partition, cancellationToken);
        await Task.WhenAll(found, sketches).ConfigureAwait(false);

        var visitorsByDay = (await sketches.ConfigureAwait(false)).ToDictionary(v => v.VisitorsDay, StringComparer.Ordinal);
        return [.. (await found.ConfigureAwait(false)).Select(document =>
        {
            var day = document.ToDailyClicks();
            day.Visitors = visitorsByDay.GetValueOrDefault(document.Day)?.ToSketch();
            return day;
        })];
    }

    private async Task<List<T>> QueryAsync<T>(QueryDefinition query, PartitionKey partition, CancellationToken cancellationToken)
    {
        var result = new List<T>();
        using var iterator = database.Stats.GetItemQueryIterator<T>(query, requestOptions: new QueryRequestOptions { PartitionKey = partition });
        while (iterator.HasMoreResults)
        {
            result.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    private async Task<DailyClicks?> ReadDayAsync(PartitionKey partition, string dayKey, CancellationToken cancellationToken)
    {
        var read = database.FindAsync<StatsDayDocument>(database.Stats, dayKey, partition, cancellationToken);
        var visitors = database.FindAsync<StatsVisitorsDocument>(database.Stats, StatsVisitorsDocument.IdOf(dayKey), partition, cancellationToken);
        await Task.WhenAll(read, visitors).ConfigureAwait(false);
        if ((await read.ConfigureAwait(false))?.Document.ToDailyClicks() is not { } day)
        {
            return null;
        }

        day.Visitors = (await visitors.ConfigureAwait(false))?.Document.ToSketch();
        return day;
    }

    /// <summary>
    /// Merges a message's visitors into the day's sketch: read, merge, replace if unchanged since (else again). A
    /// merge takes the larger register, so a message merged twice changes nothing and needs no applied id.
    /// </summary>
    private async Task MergeVisitorsAsync(string code, string dayKey, VisitorSketch visitors, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(code);
        var id = StatsVisitorsDocument.IdOf(dayKey);
        for (var attempt = 0; attempt < MaxAttemptsPerPart; attempt++)
        {
            if (await database.FindAsync<StatsVisitorsDocument>(database.Stats, id, partition, cancellationToken).ConfigureAwait(false) is not { } found)
            {
                var created = new StatsVisitorsDocument { Id = id, Code = code, VisitorsDay = dayKey, Sketch = visitors.ToBytes() };
                if (await database.TryCreateAsync(database.Stats, created, partition, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            var sketch = found.Document.ToSketch();
            sketch.Merge(visitors);
            found.Document.Sketch = sketch.ToBytes();
            using var replaced = await database.Stats.ReplaceItemStreamAsync(
                database.ToStream(found.Document), id, partition, new ItemRequestOptions { IfMatchEtag = found.ETag, EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
            if (replaced.StatusCode != HttpStatusCode.PreconditionFailed)
            {
                replaced.EnsureSuccessStatusCode();
                return;
            }
        }

        throw new InvalidOperationException($"Visitors document {id} changed under each of {MaxAttemptsPerPart} attempts to merge; the message will come again.");
    }

    private async Task<long> ReadTotalAsync(string code, CancellationToken cancellationToken) =>
        (await database.FindAsync<StatsTotalDocument>(database.Stats, StatsTotalDocument.DocumentId, new PartitionKey(code), cancellationToken).ConfigureAwait(false))?.Document.Humans ?? 0;

    // A day stored before a breakdown was added has no map to increment under: give it an empty one first, where it
    // is missing (a conditional patch, so twice is harmless), once per day and instance. A day made now has them all.
    private async Task EnsureBreakdownsAsync(DailyClicks day, string dayKey, CancellationToken cancellationToken)
    {
        if (day.Campaigns.Count == 0 && day.Sources.Count == 0 || _ensuredDays.ContainsKey((day.Code, dayKey)))
        {
            return;
        }

        foreach (var breakdown in LaterBreakdowns)
        {
            var options = new PatchItemRequestOptions { FilterPredicate = $"FROM c WHERE NOT IS_DEFINED(c.{breakdown})", EnableContentResponseOnWrite = false };
            using var response = await database.Stats.PatchItemStreamAsync(
                dayKey, new PartitionKey(day.Code), [PatchOperation.Set($"/{breakdown}", new Dictionary<string, long>())], options, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed))
            {
                response.EnsureSuccessStatusCode();
            }
        }

        if (_ensuredDays.Count >= MaxEnsuredDays)
        {
            _ensuredDays.Clear();
        }

        _ensuredDays[(day.Code, dayKey)] = true;
    }

    private static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private async Task PatchOnceAsync<TDocument>(
        string code, string documentId, List<PatchOperation> operations, string marker, Func<AppliedParts, TDocument> create, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(code);
        var chunks = operations.Chunk(MaxOperationsPerPatch - 1).ToList();
        for (var part = 0; part < chunks.Count; part++)
        {
            await PatchPartOnceAsync(partition, documentId, chunks[part], part == 0 ? marker : $"{marker}.{part}", create, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adds one part's counts and its id in one conditional patch, unless a slot holds the id already.</summary>
    private async Task PatchPartOnceAsync<TDocument>(
        PartitionKey partition, string documentId, PatchOperation[] counts, string id, Func<AppliedParts, TDocument> create, CancellationToken cancellationToken)
    {
        var hour = clock.GetUtcNow().ToUnixTimeSeconds() / 3600;
        var isNew = $"NOT ARRAY_CONTAINS(c.applied.even.ids, '{id}') AND NOT ARRAY_CONTAINS(c.applied.odd.ids, '{id}')";
        for (var attempt = 0; attempt < MaxAttemptsPerPart; attempt++)
        {
            // Most parts join the slot of this hour; the first of an hour empties the slot of two hours before.
            var slot = AppliedParts.SlotOf(hour);
            var status = await PatchAsync(documentId, partition, [.. counts, PatchOperation.Add($"/applied/{slot}/ids/-", id)], $"FROM c WHERE c.applied.{slot}.hour = {hour} AND {isNew}", cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.PreconditionFailed)
            {
                status = await PatchAsync(documentId, partition, [.. counts, PatchOperation.Set($"/applied/{slot}", new AppliedSlot { Hour = hour, Ids = [id] })], $"FROM c WHERE c.applied.{slot}.hour < {hour} AND {isNew}", cancellationToken).ConfigureAwait(false);
            }

            if (status == HttpStatusCode.NotFound)
            {
                // The first click of the day (or of the link): create the document, its slot for this hour ready.
                await database.TryCreateAsync(database.Stats, create(AppliedParts.For(hour)), partition, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (status != HttpStatusCode.PreconditionFailed)
            {
                return;
            }

            // Neither condition held: the part was applied before, or another writer changed the slot in between. Look.
            var found = await database.FindAsync<AppliedPartsDocument>(database.Stats, documentId, partition, cancellationToken).ConfigureAwait(false);
            if (found?.Document.Applied is not { Even: var even, Odd: var odd })
            {
                continue;
            }

            if (even.Ids.Contains(id) || odd.Ids.Contains(id))
            {
                return;
            }

            // A writer whose clock runs ahead has moved the slots to a later hour: follow it rather than fight over them.
            hour = Math.Max(hour, Math.Max(even.Hour, odd.Hour));
        }

        throw new InvalidOperationException($"Stats document {documentId} changed under each of {MaxAttemptsPerPart} attempts to add a message part; the message will come again.");
    }

    /// <summary>The patch's status: success, 404 (no such document) or 412 (its condition did not hold). Other failures throw.</summary>
    private async Task<HttpStatusCode> PatchAsync(string documentId, PartitionKey partition, IReadOnlyList<PatchOperation> patch, string condition, CancellationToken cancellationToken)
    {
        var options = new PatchItemRequestOptions { FilterPredicate = condition, EnableContentResponseOnWrite = false };
        using var response = await database.Stats.PatchItemStreamAsync(documentId, partition, patch, options, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed))
        {
            response.EnsureSuccessStatusCode();
        }

        return response.StatusCode;
    }
}

/// <summary>
/// The ids of the message parts a stats document has taken, in two slots by the parity of the hour (UTC, counted
/// from the Unix epoch) they were applied in. A part joins its hour's slot; the first part of a new hour replaces
/// the slot of two hours before. A part is new when neither slot holds its id. So an id is kept one to two hours,
/// at least <see cref="IStatsStore.RedeliveryWindow"/>, and a document holds at most two hours of ids.
/// </summary>
internal sealed class AppliedParts
{
    public AppliedSlot Even { get; set; } = new();
    public AppliedSlot Odd { get; set; } = new();

    public static string SlotOf(long hour) => hour % 2 == 0 ? "even" : "odd";

    /// <summary>Empty slots, the one of <paramref name="hour"/> ready to take ids.</summary>
    public static AppliedParts For(long hour) => hour % 2 == 0
        ? new AppliedParts { Even = new AppliedSlot { Hour = hour } }
        : new AppliedParts { Odd = new AppliedSlot { Hour = hour } };
}

internal sealed class AppliedSlot
{
    /// <summary>The hour (counted from the Unix epoch) of the ids in <see cref="Ids"/>; -1 for none yet.</summary>
    public long Hour { get; set; } = -1;
    public List<string> Ids { get; set; } = [];
}

/// <summary>Only the applied ids of a stats document: what a patch whose condition did not hold looks up.</summary>
internal sealed class AppliedPartsDocument
{
    public AppliedParts? Applied { get; set; }
}

/// <summary>A link's clicks on one UTC day in container <c>stats</c>; id = day (yyyyMMdd). Reads leave out the applied ids.</summary>
internal class StatsDayDocument
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

    /// <summary>Absent from days stored before campaigns were counted; see <c>EnsureBreakdownsAsync</c>.</summary>
    public Dictionary<string, long>? Campaigns { get; set; } = [];

    /// <summary>Absent from days stored before QR scans were counted; see <c>EnsureBreakdownsAsync</c>.</summary>
    public Dictionary<string, long>? Sources { get; set; } = [];

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

        foreach (var (source, target) in new[] { (Referrers, day.Referrers), (Browsers, day.Browsers), (OperatingSystems, day.OperatingSystems), (Devices, day.Devices), (Countries, day.Countries), (Campaigns ?? [], day.Campaigns), (Sources ?? [], day.Sources) })
        {
            foreach (var (name, clicks) in source)
            {
                target[name] = clicks;
            }
        }

        return day;
    }
}

/// <summary>
/// A link's unique visitors on one UTC day: a <see cref="VisitorSketch"/> (base64 in JSON, at most 16 KB). Its day
/// is <c>visitorsDay</c>, not <c>day</c>, so the range query over day documents passes it by.
/// </summary>
internal sealed class StatsVisitorsDocument
{
    public string Id { get; set; } = string.Empty;
    public string Code { get; set; } = string.Empty;
    public string VisitorsDay { get; set; } = string.Empty;
    public byte[] Sketch { get; set; } = [];

    public static string IdOf(string dayKey) => "visitors-" + dayKey;

    public VisitorSketch ToSketch() => VisitorSketch.FromBytes(Sketch);
}

/// <summary>All clicks of a link, one point read away. Reads leave out the applied ids.</summary>
internal class StatsTotalDocument
{
    public const string DocumentId = "total";

    public string Id { get; set; } = DocumentId;
    public string Code { get; set; } = string.Empty;
    public long Humans { get; set; }
    public long Bots { get; set; }
}

/// <summary>A day document as created: with the slots of its applied ids.</summary>
internal sealed class NewStatsDayDocument : StatsDayDocument
{
    public AppliedParts Applied { get; set; } = new();
}

/// <summary>A total document as created: with the slots of its applied ids.</summary>
internal sealed class NewStatsTotalDocument : StatsTotalDocument
{
    public AppliedParts Applied { get; set; } = new();
}
