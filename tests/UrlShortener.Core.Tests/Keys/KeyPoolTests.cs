using System.Collections.Concurrent;
using UrlShortener.Core.Keys;

namespace UrlShortener.Core.Tests.Keys;

public class KeyPoolTests
{
    private static readonly CodeScrambler Scrambler = new("key-pool-test-secret", 7);

    [Fact]
    public async Task Ten_thousand_concurrent_codes_are_all_distinct()
    {
        var source = new CounterKeyRangeSource();
        var pool = new KeyPool(source, Scrambler, rangeSize: 100);
        var codes = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (_, ct) => codes.Add(await pool.NextCodeAsync(ct)));

        Assert.Equal(10_000, codes.Distinct().Count());
    }

    [Fact]
    public async Task Two_pools_on_one_counter_never_hand_out_the_same_code()
    {
        var source = new CounterKeyRangeSource();
        var first = new KeyPool(source, Scrambler, rangeSize: 37);
        var second = new KeyPool(source, Scrambler, rangeSize: 53);
        var codes = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) => codes.Add(await (i % 2 == 0 ? first : second).NextCodeAsync(ct)));

        Assert.Equal(10_000, codes.Distinct().Count());
    }

    [Fact]
    public async Task The_next_range_is_drawn_before_the_current_one_runs_dry()
    {
        var source = new CounterKeyRangeSource();
        var pool = new KeyPool(source, Scrambler, rangeSize: 10);
        await pool.NextCodeAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await pool.NextCodeAsync(CancellationToken.None);
        }

        // Half of the first range is used: the second draw is under way without anyone waiting for it.
        await source.WaitForDrawsAsync(2);
        Assert.Equal(2, source.Draws);
    }

    [Fact]
    public async Task A_failed_draw_fails_the_caller_and_the_next_call_draws_again()
    {
        var source = new CounterKeyRangeSource { FailNextDraw = true };
        var pool = new KeyPool(source, Scrambler, rangeSize: 10);

        await Assert.ThrowsAsync<InvalidOperationException>(() => pool.NextCodeAsync(CancellationToken.None).AsTask());
        var code = await pool.NextCodeAsync(CancellationToken.None);

        Assert.Equal(Scrambler.ToCode(0), code);
    }

    [Fact]
    public async Task A_range_beyond_the_code_space_is_refused()
    {
        var tiny = new CodeScrambler("tiny", 1);
        var pool = new KeyPool(new CounterKeyRangeSource(), tiny, rangeSize: 100);
        for (var i = 0; i < 62; i++)
        {
            await pool.NextCodeAsync(CancellationToken.None);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => pool.NextCodeAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Many_codes_beyond_the_current_range_are_one_draw_of_their_own()
    {
        var source = new CounterKeyRangeSource();
        var pool = new KeyPool(source, Scrambler, rangeSize: 100);
        var single = await pool.NextCodeAsync(CancellationToken.None);

        var many = await pool.NextCodesAsync(1000, CancellationToken.None);

        // The pool's first range, then the bulk's own: values 100 to 1099, in order.
        Assert.Equal(2, source.Draws);
        Assert.Equal(Enumerable.Range(100, 1000).Select(v => Scrambler.ToCode((ulong)v)), many);
        Assert.Equal(Scrambler.ToCode(1), await pool.NextCodeAsync(CancellationToken.None));
        Assert.DoesNotContain(single, many);
    }

    [Fact]
    public async Task Few_codes_come_from_the_current_range_without_a_draw()
    {
        var source = new CounterKeyRangeSource();
        var pool = new KeyPool(source, Scrambler, rangeSize: 100);
        await pool.NextCodeAsync(CancellationToken.None);

        var few = await pool.NextCodesAsync(10, CancellationToken.None);

        Assert.Equal(1, source.Draws);
        Assert.Equal(Enumerable.Range(1, 10).Select(v => Scrambler.ToCode((ulong)v)), few);
    }

    [Fact]
    public async Task Bulk_and_single_codes_drawn_at_once_are_all_distinct()
    {
        var source = new CounterKeyRangeSource();
        var pool = new KeyPool(source, Scrambler, rangeSize: 64);
        var codes = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 2_000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            foreach (var code in i % 10 == 0 ? await pool.NextCodesAsync(1 + (i % 97), ct) : [await pool.NextCodeAsync(ct)])
            {
                codes.Add(code);
            }
        });

        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    /// <summary>
    /// The key-range contract in memory: a counter advanced atomically. The SQLite and Cosmos
    /// adapters are tested against real databases in the function app's tests.
    /// </summary>
    private sealed class CounterKeyRangeSource : IKeyRangeSource
    {
        private long _next;
        private int _draws;

        public bool FailNextDraw { get; set; }

        public int Draws => Volatile.Read(ref _draws);

        public async Task<KeyRange> AcquireAsync(int count, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Interlocked.Increment(ref _draws);
            if (FailNextDraw)
            {
                FailNextDraw = false;
                throw new InvalidOperationException("The counter is unreachable.");
            }

            var end = Interlocked.Add(ref _next, count);
            return new KeyRange((ulong)(end - count), count);
        }

        public async Task WaitForDrawsAsync(int draws)
        {
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (Draws < draws && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
        }
    }
}
