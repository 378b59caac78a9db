using System.Net;
using Azure.Core;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UrlShortener.Storage.Cosmos;

public static partial class CosmosStorage
{
    /// <summary>The name of Cosmos DB's readiness check.</summary>
    public const string HealthCheckName = "cosmos";

    /// <summary>
    /// Cosmos DB for links, the key-generation counter and the stats (<see cref="CosmosLinkStore"/>,
    /// <see cref="CosmosKeyRangeSource"/>, <see cref="CosmosStatsStore"/>): one client, signed in with the
    /// connection string's key or, without one, with Azure.Identity (a managed identity in Azure).
    /// </summary>
    public static IServiceCollection AddCosmosStorage(this IServiceCollection services)
    {
        services.AddOptions<CosmosOptions>().BindConfiguration(CosmosOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CosmosOptions>, CosmosOptionsValidator>();
        // One credential for every Azure client of the app, whichever adapter registers it first.
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(sp => new CosmosDatabase(sp.GetRequiredService<IOptions<CosmosOptions>>(), sp.GetRequiredService<TokenCredential>));
        services.AddHostedService<CosmosInitializer>();
        services.AddSingleton<CosmosLinkStore>();
        services.AddSingleton<CosmosKeyRangeSource>();
        services.AddSingleton<CosmosStatsStore>();
        services.AddSingleton<CosmosIdempotencyStore>();
        services.AddHealthChecks().AddCheck<CosmosHealthCheck>(HealthCheckName);
        return services;
    }

    [LoggerMessage(111, LogLevel.Information, "Cosmos DB at {Endpoint}, database {Database} ({SignIn})")]
    private static partial void CosmosOpened(ILogger logger, string endpoint, string database, string signIn);

    private sealed class CosmosInitializer(CosmosDatabase database, IOptions<CosmosOptions> options, ILogger<CosmosDatabase> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await database.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var settings = options.Value;
            CosmosOpened(logger, settings.Endpoint()?.GetLeftPart(UriPartial.Authority) ?? "?", settings.DatabaseName, string.IsNullOrWhiteSpace(settings.ConnectionString) ? "Azure.Identity" : "key");
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Ready when the links container answers a point read (a 404 for a probe id is an answer).</summary>
    private sealed class CosmosHealthCheck(CosmosDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                // The SDK does not give up on a server that accepts connections and never answers: stop waiting at the check's deadline.
                using var response = await database.Links.ReadItemStreamAsync("!probe", new PartitionKey("!probe"), cancellationToken: cancellationToken)
                    .WaitAsync(cancellationToken);
                return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"Cosmos DB answered {(int)response.StatusCode}.");
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("Cosmos DB cannot be reached.", exception);
            }
        }
    }
}
