using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;
using UrlShortener.Core.Links;

namespace UrlShortener.Storage.Cosmos;

/// <summary>
/// Short links in Cosmos DB. A redirect is one point read in <c>links</c>. Each owner's index lives in
/// <c>linksByOwner</c> (partition = owner), bucketed by UTC day, with a per-owner document naming the
/// days that have links: a page of the list reads that document, then the newest days one small
/// single-partition query at a time, sorting each day in memory (no ORDER BY, which needs a query plan).
/// </summary>
public sealed class CosmosLinkStore(CosmosDatabase database) : ILinkStore
{
    // (owner, day) pairs this instance has already marked in the owner's days document: one patch per day, not per link.
    private const int MaxRememberedDays = 100_000;
    private readonly ConcurrentDictionary<(string Owner, string Day), bool> _markedDays = new();

    public Task<bool> TryCreateAsync(ShortLink link, CancellationToken cancellationToken) => CosmosFailures.Guard(CreateAsync(link, cancellationToken));

    public Task<ShortLink?> FindAsync(string code, CancellationToken cancellationToken) => CosmosFailures.Guard(FindLinkAsync(code, cancellationToken));

    // Cosmos DB has no multi-document insert across partitions: the links go in as concurrent creates.
    // A hundred links, two point writes each (the link and its owner index entry) 32 at a time, end well within the deadline.
    public int CreateManyBatchSize => 100;

    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<ShortLink> links, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(CreateManyAsync(links, cancellationToken));

    private async Task<IReadOnlyList<bool>> CreateManyAsync(IReadOnlyList<ShortLink> links, CancellationToken cancellationToken)
    {
        var created = new bool[links.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, links.Count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (i, ct) =>
            created[i] = await CreateAsync(links[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        return created;
    }

    public Task<bool> TryReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(ReplaceAsync(current, updated, cancellationToken));

    public Task<IReadOnlyList<ShortLink>> ListByOwnerAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(ListAsync(owner, limit, after, cancellationToken));

    private async Task<bool> CreateAsync(ShortLink link, CancellationToken cancellationToken)
    {
        if (!await database.TryCreateAsync(database.Links, LinkDocument.From(link), new PartitionKey(link.Code), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await AddToOwnerIndexAsync(link, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<ShortLink?> FindLinkAsync(string code, CancellationToken cancellationToken) =>
        (await ReadAsync(code, cancellationToken).ConfigureAwait(false))?.Document.ToLink();

    private async Task<bool> ReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(current.Code, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Value.Document.Revision != current.Revision)
        {
            return false;
        }

        using var replaced = await database.Links.ReplaceItemStreamAsync(
            database.ToStream(LinkDocument.From(updated)),
            updated.Code,
            new PartitionKey(updated.Code),
            new ItemRequestOptions { IfMatchEtag = stored.Value.ETag },
            cancellationToken).ConfigureAwait(false);
        if (replaced.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }

        replaced.EnsureSuccessStatusCode();
        if (updated.DeletedAt is not null && current.DeletedAt is null)
        {
            using var removed = await database.OwnerLinks.DeleteItemStreamAsync(updated.Code, new PartitionKey(updated.Owner), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (removed.StatusCode != HttpStatusCode.NotFound)
            {
                removed.EnsureSuccessStatusCode();
            }
        }

        return true;
    }

    private async Task<IReadOnlyList<ShortLink>> ListAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(owner);
        if (await database.FindAsync<OwnerDaysDocument>(database.OwnerLinks, OwnerDaysDocument.DocumentId, partition, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return [];
        }

        var days = found.Document;
        var lastDay = after is { } cursor ? DayOf(cursor.CreatedAt) : null;
        var links = new List<ShortLink>(limit);
        foreach (var day in days.Days.Keys.Where(d => lastDay is null || string.CompareOrdinal(d, lastDay) <= 0).OrderByDescending(d => d, StringComparer.Ordinal))
        {
            var entries = (await EntriesOfDayAsync(owner, day, cancellationToken).ConfigureAwait(false))
                .Where(e => after is not { } c || IsOlder(e, c))
                .OrderByDescending(e => e.CreatedAt)
                .ThenByDescending(e => e.Id, StringComparer.Ordinal)
                .ToList();

            // Point-read the links in order; an entry whose link was deleted meanwhile is skipped.
            for (var i = 0; i < entries.Count && links.Count < limit;)
            {
                var batch = entries.Skip(i).Take(limit - links.Count).ToList();
                i += batch.Count;
                var read = await Task.WhenAll(batch.Select(e => FindLinkAsync(e.Id, cancellationToken))).ConfigureAwait(false);
                links.AddRange(read.Where(l => l is { DeletedAt: null } && l.Owner == owner)!);
            }

            if (links.Count >= limit)
            {
                break;
            }
        }

        return links;
    }

    private static bool IsOlder(OwnerLinkEntry entry, LinkCursor cursor)
    {
        var cursorMillis = cursor.CreatedAt.ToUnixTimeMilliseconds();
        return entry.CreatedAt < cursorMillis || (entry.CreatedAt == cursorMillis && string.CompareOrdinal(entry.Id, cursor.Code) < 0);
    }

    private static string DayOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private async Task<List<OwnerLinkEntry>> EntriesOfDayAsync(string owner, string day, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT c.id, c.createdAt FROM c WHERE c.owner = @owner AND c.day = @day")
            .WithParameter("@owner", owner)
            .WithParameter("@day", day);
        var entries = new List<OwnerLinkEntry>();
        using var iterator = database.OwnerLinks.GetItemQueryIterator<OwnerLinkEntry>(
            query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(owner), MaxItemCount = 1000 });
        while (iterator.HasMoreResults)
        {
            entries.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
        }

        return entries;
    }

    private async Task AddToOwnerIndexAsync(ShortLink link, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(link.Owner);
        var day = DayOf(link.CreatedAt);
        var entry = new OwnerLinkEntry { Id = link.Code, Owner = link.Owner, Day = day, CreatedAt = link.CreatedAt.ToUnixTimeMilliseconds() };
        using (var upserted = await database.OwnerLinks.UpsertItemStreamAsync(database.ToStream(entry), partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            upserted.EnsureSuccessStatusCode();
        }

        if (_markedDays.ContainsKey((link.Owner, day)))
        {
            return;
        }

        // Mark the day in the owner's document; the first link of an owner creates it, or, when another
        // request created it first, marks the day with a second patch.
        PatchOperation[] markDay = [PatchOperation.Set($"/days/{day}", 1)];
        using (var patched = await database.OwnerLinks.PatchItemStreamAsync(OwnerDaysDocument.DocumentId, partition, markDay, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (patched.StatusCode != HttpStatusCode.NotFound)
            {
                patched.EnsureSuccessStatusCode();
                RememberMarked(link.Owner, day);
                return;
            }
        }

        var first = new OwnerDaysDocument { Owner = link.Owner, Days = { [day] = 1 } };
        if (!await database.TryCreateAsync(database.OwnerLinks, first, partition, cancellationToken).ConfigureAwait(false))
        {
            using var marked = await database.OwnerLinks.PatchItemStreamAsync(OwnerDaysDocument.DocumentId, partition, markDay, cancellationToken: cancellationToken).ConfigureAwait(false);
            marked.EnsureSuccessStatusCode();
        }

        RememberMarked(link.Owner, day);
    }

    private void RememberMarked(string owner, string day)
    {
        if (_markedDays.Count >= MaxRememberedDays)
        {
            _markedDays.Clear();
        }

        _markedDays[(owner, day)] = true;
    }

    private Task<(LinkDocument Document, string ETag)?> ReadAsync(string code, CancellationToken cancellationToken) =>
        database.FindAsync<LinkDocument>(database.Links, code, new PartitionKey(code), cancellationToken);

}
