using UrlShortener.Core.Clicks;
using UrlShortener.Functions.Hosting;
using UrlShortener.Functions.Storage.Sqlite;

namespace UrlShortener.Functions.Clicks;

public static class ClickPipeline
{
    /// <summary>
    /// Capture on the redirect path, batches to the queue, the aggregator and the stats store. The queue
    /// is Service Bus when configured, else the embedded SQLite queue drained in-process; stats live in
    /// the store the links use (registered by <c>AddCosmosStorage</c> for Cosmos DB, else SQLite).
    /// </summary>
    public static WebApplicationBuilder AddClickPipeline(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var embeddedQueue = !services.Any(d => d.ServiceType == typeof(IClickPublisher));
        var (defaultBatch, maxBatch) = embeddedQueue ? (ClickOptions.EmbeddedBatchSize, 100_000) : (ClickOptions.ServiceBusBatchSize, 500);
        services.AddOptions<ClickOptions>()
            .BindConfiguration(ClickOptions.Section)
            .Validate(o => o.BufferCapacity is >= 100 and <= 10_000_000, "Clicks:BufferCapacity must be 100 to 10000000.")
            .PostConfigure(o => o.BatchSize ??= defaultBatch)
            .Validate(
                o => o.BatchSize >= 1 && o.BatchSize <= maxBatch,
                embeddedQueue ? "Clicks:BatchSize must be 1 to 100000." : "Clicks:BatchSize must be 1 to 500 on Service Bus (a message holds 256 KB).")
            .Validate(o => o.LingerMilliseconds is >= 1 and <= 60_000, "Clicks:LingerMilliseconds must be 1 to 60000.")
            .Validate(o => o.ShutdownFlushSeconds is >= 0 and <= 120, "Clicks:ShutdownFlushSeconds must be 0 to 120.")
            .Validate(o => o.AggregatorPollMilliseconds is >= 10 and <= 60_000, "Clicks:AggregatorPollMilliseconds must be 10 to 60000.")
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<ClickMetrics>();
        services.AddSingleton<ClickRecorder>();
        services.AddSingleton<ClickCapture>();
        services.AddSingleton<ClickAggregator>();
        services.AddHostedService<ClickBatcher>();

        if (!services.Any(d => d.ServiceType == typeof(IStatsStore)))
        {
            builder.AddEmbeddedDatabase();
            services.AddSingleton<IStatsStore>(sp => new DeadlineStatsStore(sp.GetRequiredService<SqliteStatsStore>(), sp.GetRequiredService<StoreDeadline>()));
        }

        if (embeddedQueue)
        {
            builder.AddEmbeddedDatabase();
            services.AddSingleton<IClickPublisher>(sp => sp.GetRequiredService<SqliteClickQueue>());
            services.AddHostedService<EmbeddedClickAggregation>();
        }

        return builder;
    }
}
