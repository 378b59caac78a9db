using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using UrlShortener.Core;
using UrlShortener.Core.Limits;
using UrlShortener.Web.Clicks;

namespace UrlShortener.Web.Limits;

/// <summary>
/// The API's rate limits: on the shared counter (Redis) when there is one, so N instances give one limit; in
/// process otherwise. When the shared counter fails, this instance limits on its own for a while (a Redis
/// outage never blocks the API) and says so in <c>urlshortener.ratelimit.fallbacks</c>.
/// </summary>
public sealed class SharedRateLimitCounter : IRateLimitCounter
{
    private readonly IRateLimitCounter? _shared;
    private readonly InProcessRateLimitCounter _local;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _fallback;
    private readonly Counter<long> _fallbacks;
    private readonly ILogger<SharedRateLimitCounter> _logger;
    private long _sharedAgainAt;

    /// <param name="shared">The shared counter, or null to limit per instance.</param>
    /// <param name="clock">The app's clock.</param>
    /// <param name="options">How long a failed shared counter is left alone.</param>
    /// <param name="meters">Where the fallback metric goes.</param>
    /// <param name="logger">Where a fallback is said.</param>
    public SharedRateLimitCounter(IRateLimitCounter? shared, TimeProvider clock, IOptions<RateLimitOptions> options, IMeterFactory meters, ILogger<SharedRateLimitCounter> logger)
    {
        _logger = logger;
        _shared = shared;
        _clock = clock;
        _local = new InProcessRateLimitCounter(clock);
        _fallback = TimeSpan.FromSeconds(options.Value.FallbackSeconds);
        _fallbacks = meters.Create(ClickMetrics.MeterName).CreateCounter<long>(
            "urlshortener.ratelimit.fallbacks", "{request}", "API requests limited in this instance alone because the shared rate-limit counter (Redis) failed.");
        meters.Create(ClickMetrics.MeterName).CreateObservableGauge(
            "urlshortener.ratelimit.shared", () => IsShared ? 1 : 0, "{state}", "1 while rate limits are counted across instances, 0 while each instance counts its own.");
    }

    /// <summary>True while limits are counted across instances.</summary>
    public bool IsShared => _shared is not null && _clock.GetUtcNow().UtcTicks >= Interlocked.Read(ref _sharedAgainAt);

    public async ValueTask<RateLimitDecision> AcquireAsync(string partition, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        if (_shared is null)
        {
            return _local.Acquire(partition, policy);
        }

        if (IsShared)
        {
            try
            {
                return await _shared.AcquireAsync(partition, policy, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException exception)
            {
                var again = (_clock.GetUtcNow() + _fallback).UtcTicks;
                if (Interlocked.Exchange(ref _sharedAgainAt, again) < again - _fallback.Ticks)
                {
                    Hosting.Log.RateLimitsPerInstance(_logger, exception, _fallback.TotalSeconds);
                }
            }
        }

        _fallbacks.Add(1);
        return _local.Acquire(partition, policy);
    }
}
