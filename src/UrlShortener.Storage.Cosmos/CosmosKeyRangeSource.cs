using System.Net;
using Microsoft.Azure.Cosmos;
using UrlShortener.Core.Keys;

namespace UrlShortener.Storage.Cosmos;

/// <summary>
/// The key-generation function on Cosmos DB: one counter document advanced by Patch Increment, which
/// is atomic, so concurrent callers on any number of instances each get a range of their own.
/// </summary>
public sealed class CosmosKeyRangeSource(CosmosDatabase database) : IKeyRangeSource
{
    public Task<KeyRange> AcquireAsync(int count, CancellationToken cancellationToken) => CosmosFailures.Guard(DrawAsync(count, cancellationToken));

    private async Task<KeyRange> DrawAsync(int count, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(CounterDocument.LinksCounterId);
        PatchOperation[] advance = [PatchOperation.Increment("/next", count)];
        var options = new PatchItemRequestOptions { EnableContentResponseOnWrite = true };
        using var patched = await database.Counters.PatchItemStreamAsync(CounterDocument.LinksCounterId, partition, advance, options, cancellationToken).ConfigureAwait(false);
        if (patched.StatusCode != HttpStatusCode.NotFound)
        {
            return RangeEndingAt(database.Read<CounterDocument>(patched).Next, count);
        }

        // The first draw ever: start the counter at zero (a racing instance may have done so already), then draw.
        await database.TryCreateAsync(database.Counters, new CounterDocument(), partition, cancellationToken).ConfigureAwait(false);
        using var retried = await database.Counters.PatchItemStreamAsync(CounterDocument.LinksCounterId, partition, advance, options, cancellationToken).ConfigureAwait(false);
        return RangeEndingAt(database.Read<CounterDocument>(retried).Next, count);
    }

    private static KeyRange RangeEndingAt(long next, int count) => new((ulong)(next - count), count);
}
