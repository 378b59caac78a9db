using Microsoft.Azure.Cosmos;
using UrlShortener.Core;

namespace UrlShortener.Storage.Cosmos;

/// <summary>
/// Turns Cosmos DB's failures into the core's: whatever the SDK still throws after its own retries (a 429
/// past them, a timeout, a 5xx, a refused connection, a missing role) is a store that did not answer.
/// </summary>
internal static class CosmosFailures
{
    public const string Store = "cosmos";

    private static bool IsStoreFailure(Exception exception) => exception is CosmosException or HttpRequestException;

    private static StoreUnavailableException Unavailable(Exception exception) => exception is CosmosException cosmos
        ? new(Store, $"Cosmos DB answered {(int)cosmos.StatusCode} ({cosmos.StatusCode}).", exception)
        : new(Store, "Cosmos DB cannot be reached.", exception);

    public static async Task<T> Guard<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception exception) when (IsStoreFailure(exception))
        {
            throw Unavailable(exception);
        }
    }

    public static async Task Guard(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception exception) when (IsStoreFailure(exception))
        {
            throw Unavailable(exception);
        }
    }
}
