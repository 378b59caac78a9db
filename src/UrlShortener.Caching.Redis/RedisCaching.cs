using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UrlShortener.Caching.Redis;

public static class RedisCaching
{
    /// <summary>The name of Redis's readiness check.</summary>
    public const string HealthCheckName = "redis";

    /// <summary>
    /// Redis as the shared L2 link cache (<see cref="RedisLinkCache"/>) and the shared rate-limit counter
    /// (<see cref="RedisRateLimitCounter"/>), on one connection made in the background, with its
    /// readiness check (Degraded, never Unhealthy: Redis is an accelerator) and its breaker's state as a metric.
    /// </summary>
    public static IServiceCollection AddRedisCache(this IServiceCollection services)
    {
        services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.Section)
            .Validate(o => o.IsConfigured, "Redis:ConnectionString must be set to use Redis.")
            .Validate(o => o.TimeToLiveSeconds > 0 && o.NegativeTimeToLiveSeconds > 0, "Redis:TimeToLiveSeconds and Redis:NegativeTimeToLiveSeconds must be positive.")
            .Validate(o => o.OperationTimeoutMilliseconds is > 0 and <= 5000, "Redis:OperationTimeoutMilliseconds must be 1 to 5000.")
            .Validate(o => o.BreakSeconds is > 0 and <= 300, "Redis:BreakSeconds must be more than 0 and at most 300.")
            .ValidateOnStart();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisLinkCache>();
        services.AddSingleton<RedisRateLimitCounter>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisLinkCache>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>(HealthCheckName);
        return services;
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
