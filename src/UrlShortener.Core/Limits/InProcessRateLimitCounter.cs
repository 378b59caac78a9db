using System.Collections.Concurrent;

namespace UrlShortener.Core.Limits;

/// <summary>
/// Rate limits held in this process: the limit of one instance, and the fallback when the shared counter
/// cannot be reached. Partitions whose quota is whole again are forgotten, so memory follows live clients.
/// </summary>
/// <remarks>System.Threading.RateLimiting's token bucket tells neither the remaining quota nor its reset, which every answer carries.</remarks>
public sealed class InProcessRateLimitCounter(TimeProvider clock, int capacity = InProcessRateLimitCounter.DefaultCapacity) : IRateLimitCounter
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<(string Policy, string Partition), long> _tats = new();
    private long _nextSweep;

    /// <summary>How many partitions are held (for tests and the sweep).</summary>
    public int Count => _tats.Count;

    public ValueTask<RateLimitDecision> AcquireAsync(string partition, RateLimitPolicy policy, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Acquire(partition, policy));

    public RateLimitDecision Acquire(string partition, RateLimitPolicy policy)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var key = (policy.Name, partition);
        var interval = Math.Max(policy.EmissionInterval.Ticks, 1);
        while (true)
        {
            var found = _tats.TryGetValue(key, out var stored);
            var (allowed, remaining, retryAfter, reset, next) = CellRate.Decide(found ? stored : null, now, interval, policy.Quota);
            if (!allowed)
            {
                return new(false, 0, TimeSpan.FromTicks(retryAfter), TimeSpan.FromTicks(reset));
            }

            if (found ? _tats.TryUpdate(key, next, stored) : _tats.TryAdd(key, next))
            {
                if (!found && _tats.Count > capacity)
                {
                    Sweep(now);
                }

                return new(true, (int)Math.Min(remaining, int.MaxValue), TimeSpan.Zero, TimeSpan.FromTicks(reset));
            }
        }
    }

    // A partition whose TAT has passed holds its whole quota, the same as one never seen: scanned for at most once
    // a second. A flood of more distinct partitions than that frees clears the table at twice the capacity: those
    // clients start again with a full quota.
    private void Sweep(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + TimeSpan.TicksPerSecond, due) != due)
        {
            if (_tats.Count > 2 * capacity)
            {
                _tats.Clear();
            }

            return;
        }

        foreach (var (key, tat) in _tats)
        {
            if (tat <= now)
            {
                _tats.TryRemove(new KeyValuePair<(string, string), long>(key, tat));
            }
        }

        if (_tats.Count > capacity)
        {
            _tats.Clear();
        }
    }
}
