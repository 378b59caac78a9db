using System.Net;
using Microsoft.Azure.Cosmos;
using UrlShortener.Core.Keys;

namespace UrlShortener.Functions.Storage.Cosmos;

/// <summary>
/// The key-generation function on Cosmos DB: one counter document advanced by Patch Increment, which
/// is atomic, so concurrent callers on any number of instances each get a range of their own.
/// </summary>
public sealed class CosmosKeyRangeSource(CosmosDatabase database) : IKeyRangeSource
{
    public async Task<KeyRange> AcquireAsync(int count, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(CounterDocument.LinksCounterId);
        PatchOperation[] advance = [PatchOperation.Increment("/next", count)];
        var options = new PatchItemRequestOptions { EnableContentResponseOnWrite = true };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var patched = await database.Counters.PatchItemAsync<CounterDocument>(
                    CounterDocument.LinksCounterId, partition, advance, options, cancellationToken).ConfigureAwait(false);
                return new KeyRange((ulong)(patched.Resource.Next - count), count);
            }
            catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.NotFound && attempt == 0)
            {
                // The first draw ever: start the counter at zero (a racing instance may have done so already).
                await database.TryCreateAsync(database.Counters, new CounterDocument(), partition, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
