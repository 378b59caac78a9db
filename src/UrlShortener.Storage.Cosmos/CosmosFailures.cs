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

    public static Task<T> Guard<T>(Task<T> call) => StoreFailures.Translate(call, Translate);

    public static Task Guard(Task call) => StoreFailures.Translate(call, Translate);

    private static StoreUnavailableException? Translate(Exception exception) => exception switch
    {
        CosmosException cosmos => new(Store, $"Cosmos DB answered {(int)cosmos.StatusCode} ({cosmos.StatusCode}).", exception),
        HttpRequestException => new(Store, "Cosmos DB cannot be reached.", exception),
        _ => null,
    };
}
