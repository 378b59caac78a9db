namespace UrlShortener.Core.Limits;

/// <summary>A quota: at most <see cref="Quota"/> requests per <see cref="Window"/>, of which all may come at once.</summary>
public sealed record RateLimitPolicy(string Name, int Quota, TimeSpan Window)
{
    /// <summary>How often one request's worth of quota comes back.</summary>
    public TimeSpan EmissionInterval => Window / Quota;
}

/// <param name="Allowed">Whether this request is within the quota.</param>
/// <param name="Remaining">How many more requests the quota allows right now.</param>
/// <param name="RetryAfter">When refused, how long until one request is allowed again; zero when allowed.</param>
/// <param name="Reset">How long until the whole quota is back.</param>
public readonly record struct RateLimitDecision(bool Allowed, int Remaining, TimeSpan RetryAfter, TimeSpan Reset);

/// <summary>Counts requests against a policy per partition (an API key, a client address).</summary>
public interface IRateLimitCounter
{
    /// <summary>Takes one request from <paramref name="partition"/>'s quota under <paramref name="policy"/>, or says when it may come.</summary>
    ValueTask<RateLimitDecision> AcquireAsync(string partition, RateLimitPolicy policy, CancellationToken cancellationToken);
}

/// <summary>
/// The generic cell rate algorithm: a token bucket kept as one number, the theoretical arrival time (TAT) of the
/// next request. One value per partition makes it cheap to hold in process and atomic to update in Redis.
/// </summary>
public static class CellRate
{
    /// <summary>Decides a request arriving at <paramref name="now"/>; times are in any one unit (ticks, ms).</summary>
    /// <param name="tat">The partition's stored TAT, or null when it has none.</param>
    /// <param name="now">The time now.</param>
    /// <param name="interval">The policy's emission interval.</param>
    /// <param name="quota">The policy's quota: how many requests may come at once.</param>
    /// <returns>The decision in the same unit, and the TAT to store when allowed (unchanged when refused).</returns>
    public static (bool Allowed, long Remaining, long RetryAfter, long Reset, long NewTat) Decide(long? tat, long now, long interval, long quota)
    {
        var start = Math.Max(tat ?? now, now);
        var next = start + interval;
        var allowedFrom = next - (quota * interval);
        if (now < allowedFrom)
        {
            return (false, 0, allowedFrom - now, start - now, start);
        }

        return (true, (now - allowedFrom) / interval, 0, next - now, next);
    }
}
