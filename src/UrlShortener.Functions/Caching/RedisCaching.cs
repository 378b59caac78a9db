using Microsoft.Extensions.Diagnostics.HealthChecks;
using UrlShortener.Functions.Endpoints;

namespace UrlShortener.Functions.Caching;

public static class RedisCaching
{
    /// <summary>Redis as the shared L2 cache, when <c>Redis:ConnectionString</c> is set.</summary>
    public static WebApplicationBuilder AddRedisCache(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetSection(RedisOptions.Section).Get<RedisOptions>()?.IsConfigured != true)
        {
            return builder;
        }

        var services = builder.Services;
        services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.Section)
            .Validate(o => o.TimeToLiveSeconds > 0 && o.NegativeTimeToLiveSeconds > 0, "Redis:TimeToLiveSeconds and Redis:NegativeTimeToLiveSeconds must be positive.")
            .Validate(o => o.OperationTimeoutMilliseconds is > 0 and <= 5000, "Redis:OperationTimeoutMilliseconds must be 1 to 5000.")
            .Validate(o => o.BreakSeconds is > 0 and <= 300, "Redis:BreakSeconds must be more than 0 and at most 300.")
            .ValidateOnStart();
        services.AddSingleton<RedisLinkCache>();
        services.AddSingleton<IDistributedLinkCache>(sp => sp.GetRequiredService<RedisLinkCache>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisLinkCache>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    /// <summary>Redis is an accelerator: when it is away, or hangs and is skipped, the app is degraded, still ready.</summary>
    private sealed class RedisHealthCheck(RedisLinkCache cache) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(cache.IsConnected && !cache.IsSkipped
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Degraded(cache.IsConnected
                    ? "Redis does not answer in time and is skipped; links are read from the store."
                    : "Redis cannot be reached; links are read from the store."));
    }
}
