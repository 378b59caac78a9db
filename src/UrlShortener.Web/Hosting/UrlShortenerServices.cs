using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UrlShortener.Caching.Redis;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Idempotency;
using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;
using UrlShortener.Messaging.ServiceBus;
using UrlShortener.Storage.Cosmos;
using UrlShortener.Storage.Sqlite;
using UrlShortener.Telemetry;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Caching;
using UrlShortener.Web.Clicks;
using UrlShortener.Web.Limits;
using UrlShortener.Web.Passwords;

namespace UrlShortener.Web.Hosting;

/// <summary>Which adapter serves each port, read from configuration once: a backend without its settings is not used.</summary>
public sealed record Backends(bool Cosmos, bool Redis, bool ServiceBus)
{
    /// <summary>The embedded SQLite file holds links and stats unless Cosmos DB does, and the click queue unless Service Bus does.</summary>
    public bool Sqlite => !Cosmos || !ServiceBus;

    public static Backends From(IConfiguration configuration) => new(
        configuration.GetSection(CosmosOptions.Section).Get<CosmosOptions>()?.IsConfigured == true,
        configuration.GetSection(RedisOptions.Section).Get<RedisOptions>()?.IsConfigured == true,
        configuration.GetSection(ServiceBusOptions.Section).Get<ServiceBusOptions>()?.IsConfigured == true);
}

public static class UrlShortenerServices
{
    /// <summary>
    /// Everything both hosts serve: the HTTP API, API keys, the domain, and one adapter per port, picked from
    /// configuration by <see cref="Backends.From"/>. The one composition method: nothing here depends on what
    /// was registered before it.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="clickDrain">Who runs the click drain: a hosted service here, or the host's own timer.</param>
    public static IServiceCollection AddUrlShortener(this IServiceCollection services, IConfiguration configuration, ClickDrainDriver clickDrain = ClickDrainDriver.HostedService)
    {
        var backends = Backends.From(configuration);
        services.AddSingleton(backends);
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddUrlShortenerTelemetry(configuration);
        services.AddHttpApi();
        services.AddApiKeyAuthentication();
        services.AddDomain();

        if (backends.Sqlite)
        {
            services.AddSqliteStorage();
        }

        if (backends.Cosmos)
        {
            services.AddCosmosStorage();
            services.AddStores<CosmosLinkStore, CosmosKeyRangeSource, CosmosStatsStore, CosmosIdempotencyStore>("cosmos");
        }
        else
        {
            services.AddStores<SqliteLinkStore, SqliteKeyRangeSource, SqliteStatsStore, SqliteIdempotencyStore>("sqlite");
        }

        if (backends.Redis)
        {
            services.AddRedisCache();
            services.AddSingleton<ILinkCache>(sp => sp.GetRequiredService<RedisLinkCache>());
        }

        if (backends.ServiceBus)
        {
            services.AddServiceBusClickQueue();
            services.AddSingleton<IClickPublisher>(sp => sp.GetRequiredService<ServiceBusClickPublisher>());
            services.AddSingleton<IClickQueue>(sp => sp.GetRequiredService<ServiceBusClickQueue>());
        }
        else
        {
            services.AddSingleton<IClickPublisher>(sp => sp.GetRequiredService<SqliteClickQueue>());
            services.AddSingleton<IClickQueue>(sp => sp.GetRequiredService<SqliteClickQueue>());
        }

        services.AddRateLimits(backends);
        services.AddClickPipeline(backends);
        if (clickDrain == ClickDrainDriver.HostedService)
        {
            services.AddHostedService<ClickQueueDrainService>();
        }

        return services;
    }

    // The ports of the stores, each call within the store deadline and its failures counted under the adapter's name.
    private static void AddStores<TLinks, TKeys, TStats, TIdempotency>(this IServiceCollection services, string name)
        where TLinks : class, ILinkStore
        where TKeys : class, IKeyRangeSource
        where TStats : class, IStatsStore
        where TIdempotency : class, IIdempotencyStore
    {
        services.AddSingleton<IIdempotencyStore>(sp => new DeadlineIdempotencyStore(sp.GetRequiredService<TIdempotency>(), name, sp.GetRequiredService<StoreDeadline>()));
        services.AddSingleton<ILinkStore>(sp => new DeadlineLinkStore(sp.GetRequiredService<TLinks>(), name, sp.GetRequiredService<StoreDeadline>()));
        services.AddSingleton<IKeyRangeSource>(sp => new DeadlineKeyRangeSource(sp.GetRequiredService<TKeys>(), name, sp.GetRequiredService<StoreDeadline>()));
        services.AddSingleton<IStatsStore>(sp => new DeadlineStatsStore(sp.GetRequiredService<TStats>(), name, sp.GetRequiredService<StoreDeadline>()));
    }

    /// <summary>The domain services: code generation, the link service, the redirect's cache, the store deadline.</summary>
    private static void AddDomain(this IServiceCollection services)
    {
        services.AddOptions<ShortenerOptions>()
            .BindConfiguration(ShortenerOptions.Section)
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (environment.IsDevelopment() && string.IsNullOrEmpty(options.CodeSecret))
                {
                    options.CodeSecret = ShortenerOptions.DevelopmentCodeSecret;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShortenerOptions>, ShortenerOptionsValidator>();

        services.AddSingleton<StoreDeadline>();
        services.AddOptions<HealthCheckServiceOptions>().PostConfigure<StoreDeadline>(StoreDeadline.Apply);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ShortenerOptions>>().Value;
            return new CodeScrambler(options.CodeSecret!, options.CodeLength);
        });
        services.AddSingleton(sp => new VisitorMarks(sp.GetRequiredService<IOptions<ShortenerOptions>>().Value.CodeSecret!));
        services.AddSingleton(sp => new UnlockTokens(sp.GetRequiredService<IOptions<ShortenerOptions>>().Value.CodeSecret!));
        services.AddSingleton<LinkUnlocks>();
        services.AddSingleton<Dashboard.DashboardFiles>();
        services.AddSingleton<IShortCodeGenerator>(sp => new KeyPool(
            sp.GetRequiredService<IKeyRangeSource>(),
            sp.GetRequiredService<CodeScrambler>(),
            sp.GetRequiredService<IOptions<ShortenerOptions>>().Value.KeyRangeSize));
        services.AddSingleton<LinkLookup>();
        services.AddSingleton<ILinkCacheInvalidator>(sp => sp.GetRequiredService<LinkLookup>());
        services.AddSingleton<LinkService>();
        services.AddSingleton<ShortUrls>();
    }

    /// <summary>The API's per-key quotas (shared through Redis when it is configured) and the unknown-code limit of redirects.</summary>
    private static void AddRateLimits(this IServiceCollection services, Backends backends)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton(sp => new SharedRateLimitCounter(
            backends.Redis ? sp.GetRequiredService<RedisRateLimitCounter>() : null,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RateLimitOptions>>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<ILogger<SharedRateLimitCounter>>()));
        services.AddSingleton<RateLimitMetrics>();
        services.AddSingleton<ApiRateLimits>();
        services.AddSingleton<ClientAddresses>();
        services.AddSingleton<UnknownCodeLimit>();
        services.AddSingleton<BulkCreateAdmission>();
    }

    /// <summary>Capture on the redirect path, batches to the queue, the aggregator.</summary>
    private static void AddClickPipeline(this IServiceCollection services, Backends backends)
    {
        var (defaultBatch, maxBatch) = backends.ServiceBus ? (ClickOptions.ServiceBusBatchSize, 500) : (ClickOptions.EmbeddedBatchSize, 100_000);
        services.AddOptions<ClickOptions>()
            .BindConfiguration(ClickOptions.Section)
            .Validate(o => o.BufferCapacity is >= 100 and <= 10_000_000, "Clicks:BufferCapacity must be 100 to 10000000.")
            .PostConfigure(o => o.BatchSize ??= defaultBatch)
            .Validate(
                o => o.BatchSize >= 1 && o.BatchSize <= maxBatch,
                backends.ServiceBus ? "Clicks:BatchSize must be 1 to 500 on Service Bus (a message holds 256 KB)." : "Clicks:BatchSize must be 1 to 100000.")
            .Validate(o => o.LingerMilliseconds is >= 1 and <= 60_000, "Clicks:LingerMilliseconds must be 1 to 60000.")
            .Validate(o => o.ShutdownFlushSeconds is >= 0 and <= 120, "Clicks:ShutdownFlushSeconds must be 0 to 120.")
            .Validate(o => o.AggregatorPollMilliseconds is >= 10 and <= 60_000, "Clicks:AggregatorPollMilliseconds must be 10 to 60000.")
            .ValidateOnStart();
        services.AddSingleton<ClickMetrics>();
        services.AddSingleton<ClickRecorder>();
        services.AddSingleton<ClickCapture>();
        services.AddSingleton<ClickAggregator>();
        services.AddSingleton<ClickQueueDrain>();
        services.AddHostedService<ClickBatcher>();
    }
}
