using Microsoft.Extensions.Options;
using StackExchange.Redis;
using UrlShortener.Core;
using UrlShortener.Core.Limits;

namespace UrlShortener.Caching.Redis;

/// <summary>
/// Rate limits shared by every instance: one key per (policy, partition) holding its GCRA arrival time
/// (<see cref="CellRate"/>), read and moved in one script on Redis's own clock, so instances' clocks never disagree.
/// A Redis that is away or slower than <see cref="RedisOptions.OperationTimeoutMilliseconds"/> fails at once with
/// <see cref="StoreUnavailableException"/>; the caller then limits in process.
/// </summary>
/// <remarks>
/// Not the RedisRateLimiting package: its leases tell neither the remaining quota of a granted request nor the
/// quota's reset (which the RateLimit header carries), and it reads each instance's own clock.
/// </remarks>
public sealed class RedisRateLimitCounter(RedisConnection connection, IOptions<RedisOptions> options, TimeProvider clock) : IRateLimitCounter
{
    public const string Store = "redis";

    // Microseconds: Lua numbers are doubles, exact to 2^53, and the arrival time is stored with %.0f, never as 1.7e+15.
    private const string Script = """
        local interval = tonumber(ARGV[1])
        local quota = tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local tat = tonumber(redis.call('GET', KEYS[1]))
        local start = now
        if tat and tat > now then start = tat end
        local nextTat = start + interval
        local allowedFrom = nextTat - quota * interval
        if now < allowedFrom then
          return { 0, 0, string.format('%.0f', allowedFrom - now), string.format('%.0f', start - now) }
        end
        redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
        return { 1, string.format('%.0f', math.floor((now - allowedFrom) / interval)), '0', string.format('%.0f', nextTat - now) }
        """;

    private readonly string _prefix = options.Value.KeyPrefix + "ratelimit:";
    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(Math.Max(options.Value.OperationTimeoutMilliseconds, 1));

    public async ValueTask<RateLimitDecision> AcquireAsync(string partition, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        if (connection.Multiplexer is not { IsConnected: true } redis)
        {
            throw new StoreUnavailableException(Store, "Redis is not connected.");
        }

        try
        {
            var interval = Math.Max(policy.EmissionInterval.Ticks / 10, 1);
            var result = await redis.GetDatabase()
                .ScriptEvaluateAsync(Script, [(RedisKey)(_prefix + policy.Name + ":" + partition)], [interval, policy.Quota])
                .WaitAsync(_timeout, clock, cancellationToken)
                .ConfigureAwait(false);
            var values = (RedisResult[])result!;
            return new RateLimitDecision(
                (long)values[0] == 1,
                (int)Math.Min((long)values[1], int.MaxValue),
                TimeSpan.FromTicks((long)values[2] * 10),
                TimeSpan.FromTicks((long)values[3] * 10));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException or InvalidCastException or IndexOutOfRangeException)
        {
            // Down, slow, refused by an ACL (NOPERM), or an answer not of our script: the caller limits in process.
            throw new StoreUnavailableException(Store, "Redis did not answer the rate limit in time.", exception);
        }
    }
}
