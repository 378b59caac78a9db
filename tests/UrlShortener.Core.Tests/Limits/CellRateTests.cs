using CsCheck;
using UrlShortener.Core.Limits;

namespace UrlShortener.Core.Tests.Limits;

public class CellRateTests
{
    private static readonly Gen<(long Interval, long Quota, long Start)> Policies =
        Gen.Select(Gen.Long[1, 10_000_000], Gen.Long[1, 1_000], Gen.Long[0, 1_000_000_000_000]);

    [Fact]
    public void A_fresh_partition_allows_the_whole_quota_at_once_counting_down_and_refuses_the_next() =>
        Policies.Sample(p =>
        {
            long? tat = null;
            for (var i = 1; i <= p.Quota; i++)
            {
                var decision = CellRate.Decide(tat, p.Start, p.Interval, p.Quota);
                Assert.True(decision.Allowed);
                Assert.Equal(p.Quota - i, decision.Remaining);
                Assert.Equal(i * p.Interval, decision.Reset);
                tat = decision.NewTat;
            }

            var refused = CellRate.Decide(tat, p.Start, p.Interval, p.Quota);
            Assert.False(refused.Allowed);
            Assert.Equal(0, refused.Remaining);
            Assert.Equal(tat, refused.NewTat);
        });

    [Fact]
    public void Retry_after_is_honest_the_request_is_allowed_exactly_then_and_not_a_tick_before() =>
        Gen.Select(Policies, Gen.Int[1, 50]).Sample((p, extra) =>
        {
            long? tat = null;
            var now = p.Start;
            for (var i = 0; i < p.Quota + extra; i++)
            {
                var decision = CellRate.Decide(tat, now, p.Interval, p.Quota);
                if (decision.Allowed)
                {
                    tat = decision.NewTat;
                    continue;
                }

                Assert.True(decision.RetryAfter > 0);
                Assert.False(CellRate.Decide(tat, now + decision.RetryAfter - 1, p.Interval, p.Quota).Allowed);
                Assert.True(CellRate.Decide(tat, now + decision.RetryAfter, p.Interval, p.Quota).Allowed);
                now += decision.RetryAfter;
                tat = CellRate.Decide(tat, now, p.Interval, p.Quota).NewTat;
            }
        });

    [Fact]
    public void Over_any_span_no_more_than_the_quota_plus_what_came_back_is_allowed() =>
        Gen.Select(Policies, Gen.Long[0, 100_000_000].Array[1, 200]).Sample((p, gaps) =>
        {
            long? tat = null;
            var now = p.Start;
            var allowed = 0L;
            foreach (var gap in gaps)
            {
                now += gap;
                var decision = CellRate.Decide(tat, now, p.Interval, p.Quota);
                if (decision.Allowed)
                {
                    allowed++;
                    tat = decision.NewTat;
                }
            }

            Assert.True(allowed <= p.Quota + ((now - p.Start) / p.Interval), $"{allowed} allowed");
        });

    [Fact]
    public void In_process_counter_keeps_partitions_apart_and_forgets_those_whose_quota_is_whole_again()
    {
        var clock = new ManualClock();
        var counter = new InProcessRateLimitCounter(clock, capacity: 10);
        var policy = new RateLimitPolicy("writes", 2, TimeSpan.FromSeconds(2));
        Assert.True(counter.Acquire("a", policy).Allowed);
        Assert.True(counter.Acquire("a", policy).Allowed);
        var refused = counter.Acquire("a", policy);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.True(counter.Acquire("b", policy).Allowed);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(counter.Acquire("a", policy).Allowed);

        clock.Advance(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100; i++)
        {
            Assert.True(counter.Acquire($"client-{i}", policy).Allowed);
            Assert.True(counter.Count <= 21, $"{counter.Count} partitions held with a capacity of 10");
        }

        // The expired partitions went at the first sweep; a refused client's state is kept while it lasts.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(counter.Acquire("a", policy).Allowed);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
