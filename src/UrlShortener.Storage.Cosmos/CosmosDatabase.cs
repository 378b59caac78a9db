using System.Collections.ObjectModel;
using System.Net;
using Azure.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace UrlShortener.Storage.Cosmos;

/// <summary>
/// The one <see cref="CosmosClient"/> and the containers the app uses. Names here are the ones the
/// Bicep in infra/ creates; with <see cref="CosmosOptions.CreateResources"/> the app creates them itself.
/// </summary>
public sealed class CosmosDatabase : IDisposable
{
    /// <summary>Short links, one document each, id = code: a redirect is one point read.</summary>
    public const string LinksContainer = "links";

    /// <summary>Each owner's link index, partitioned by owner: listing is a single-partition query.</summary>
    public const string OwnerLinksContainer = "linksByOwner";

    /// <summary>The key-generation counter.</summary>
    public const string CountersContainer = "counters";

    /// <summary>Hourly stats: a document per (code, UTC day) and a total per code, partitioned by code.</summary>
    public const string StatsContainer = "stats";

    /// <summary>Idempotency keys, id = a hash of (owner, operation, key), expired by TTL a day after their last write.</summary>
    public const string IdempotencyKeysContainer = "idempotencyKeys";

    private readonly CosmosOptions _options;

    /// <param name="options">The account, database and how to reach them.</param>
    /// <param name="credential">
    /// Asked for only when the options name an endpoint without a key: building <c>DefaultAzureCredential</c>
    /// loads MSAL and its dependencies (2–4 MB of memory at start) that an app signing in with a key never uses.
    /// </param>
    public CosmosDatabase(IOptions<CosmosOptions> options, Func<TokenCredential> credential)
    {
        _options = options.Value;
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "UrlShortener",
            ConnectionMode = ConnectionMode.Gateway,
            Serializer = new CosmosJsonSerializer(),

            // 429s are retried by the SDK itself, honouring the server's retry-after.
            MaxRetryAttemptsOnRateLimitedRequests = 9,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(10),
            EnableContentResponseOnWrite = false,
        };

        var endpoint = _options.Endpoint()!;
        if (endpoint.IsLoopback)
        {
            // The emulator announces addresses it cannot serve: talk to the endpoint only.
            clientOptions.LimitToEndpoint = true;
            if (_options.DisableServerCertificateValidation)
            {
                // The SDK's own handler otherwise (its gateway connection limit included), as against Cosmos DB.
                clientOptions.ServerCertificateCustomValidationCallback = (_, _, _) => true;
            }
        }

        Client = string.IsNullOrWhiteSpace(_options.ConnectionString)
            ? new CosmosClient(endpoint.ToString(), credential(), clientOptions)
            : new CosmosClient(_options.ConnectionString, clientOptions);
        var database = Client.GetDatabase(_options.DatabaseName);
        Links = database.GetContainer(LinksContainer);
        OwnerLinks = database.GetContainer(OwnerLinksContainer);
        Counters = database.GetContainer(CountersContainer);
        Stats = database.GetContainer(StatsContainer);
        IdempotencyKeys = database.GetContainer(IdempotencyKeysContainer);
    }

    public CosmosClient Client { get; }

    public Container Links { get; }

    public Container OwnerLinks { get; }

    public Container Counters { get; }

    public Container Stats { get; }

    public Container IdempotencyKeys { get; }

    /// <summary>Every container the app uses with its partition key path (infra/ creates the same).</summary>
    public static ReadOnlyDictionary<string, string> ContainerPartitionKeys { get; } = new(new Dictionary<string, string>
    {
        [LinksContainer] = "/id",
        [OwnerLinksContainer] = "/owner",
        [CountersContainer] = "/id",
        [StatsContainer] = "/code",
        [IdempotencyKeysContainer] = "/id",
    });

    /// <summary>The containers with TTL on (-1: documents say their own <c>ttl</c>); infra/ sets the same.</summary>
    public static IReadOnlySet<string> ContainersWithTimeToLive { get; } = new HashSet<string> { LinksContainer, IdempotencyKeysContainer };

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (!_options.CreateResources)
        {
            return;
        }

        var database = (await Client.CreateDatabaseIfNotExistsAsync(_options.DatabaseName, cancellationToken: cancellationToken).ConfigureAwait(false)).Database;
        foreach (var (name, partitionKey) in ContainerPartitionKeys)
        {
            var properties = new ContainerProperties(name, partitionKey)
            {
                DefaultTimeToLive = ContainersWithTimeToLive.Contains(name) ? -1 : null,
            };
            await database.CreateContainerIfNotExistsAsync(properties, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates <paramref name="document"/>; false when a document with its id is already there.</summary>
    public async Task<bool> TryCreateAsync<T>(Container container, T document, PartitionKey partition, CancellationToken cancellationToken)
    {
        using var created = await container.CreateItemStreamAsync(ToStream(document), partition, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (created.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        created.EnsureSuccessStatusCode();
        return true;
    }

    public Stream ToStream<T>(T document) => Client.ClientOptions.Serializer.ToStream(document);

    /// <summary>The document with <paramref name="id"/> and its ETag (a point read); null when there is none.</summary>
    public async Task<(T Document, string ETag)?> FindAsync<T>(Container container, string id, PartitionKey partition, CancellationToken cancellationToken)
    {
        using var response = await container.ReadItemStreamAsync(id, partition, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.NotFound ? null : (Read<T>(response), response.Headers.ETag);
    }

    /// <summary>The document of a successful response; throws for a failed one.</summary>
    public T Read<T>(ResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        return Client.ClientOptions.Serializer.FromStream<T>(response.Content);
    }

    public void Dispose() => Client.Dispose();
}
