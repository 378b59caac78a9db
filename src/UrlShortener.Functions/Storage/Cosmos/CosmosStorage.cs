using System.Net;
using Azure.Core;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;
using UrlShortener.Functions.Endpoints;
using UrlShortener.Functions.Hosting;

namespace UrlShortener.Functions.Storage.Cosmos;

public static class CosmosStorage
{
    /// <summary>True when configuration names a Cosmos DB account: links and key ranges then live there.</summary>
    public static bool HasCosmos(this WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(CosmosOptions.Section).Get<CosmosOptions>()?.IsConfigured == true;

    public static WebApplicationBuilder AddCosmosStorage(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CosmosOptions>().BindConfiguration(CosmosOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CosmosOptions>, CosmosOptionsValidator>();
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(sp => new CosmosDatabase(sp.GetRequiredService<IOptions<CosmosOptions>>(), sp.GetRequiredService<TokenCredential>));
        services.AddHostedService<CosmosInitializer>();
        services.AddSingleton<CosmosLinkStore>();
        services.AddSingleton<CosmosKeyRangeSource>();
        services.AddSingleton<CosmosStatsStore>();
        services.AddSingleton<ILinkStore>(sp => new DeadlineLinkStore(sp.GetRequiredService<CosmosLinkStore>(), sp.GetRequiredService<StoreDeadline>()));
        services.AddSingleton<IKeyRangeSource>(sp => new DeadlineKeyRangeSource(sp.GetRequiredService<CosmosKeyRangeSource>(), sp.GetRequiredService<StoreDeadline>()));
        services.AddSingleton<IStatsStore>(sp => new DeadlineStatsStore(sp.GetRequiredService<CosmosStatsStore>(), sp.GetRequiredService<StoreDeadline>()));
        services.AddHealthChecks().AddCheck<CosmosHealthCheck>("cosmos", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    private sealed class CosmosInitializer(CosmosDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

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
