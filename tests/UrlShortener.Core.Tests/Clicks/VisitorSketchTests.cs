using System.Buffers.Binary;
using CsCheck;
using UrlShortener.Core.Clicks;
using Xunit.Abstractions;

namespace UrlShortener.Core.Tests.Clicks;

public class VisitorSketchTests(ITestOutputHelper output)
{
    private static readonly DateOnly Day = new(2026, 12, 3);

    [Theory]
    [InlineData(100_000)]
    [InlineData(10_000)]
    [InlineData(1_000)]
    [InlineData(100)]
    public void Distinct_visitors_are_counted_within_3_percent(int visitors)
    {
        var marks = new VisitorMarks("a-secret-for-the-tests-only");
        var sketch = new VisitorSketch();
        Span<byte> address = stackalloc byte[4];
        for (var i = 0; i < visitors; i++)
        {
            // 10.x.y.z, one browser each: distinct (address, User-Agent) pairs.
            BinaryPrimitives.WriteInt32BigEndian(address, 0x0A000000 + i);
            sketch.Add(marks.Mark(Day, address, "Mozilla/5.0 Chrome/131.0"));
        }

        var estimate = sketch.Estimate();
        output.WriteLine($"{visitors} distinct visitors: estimate {estimate}, error {(estimate - visitors) * 100.0 / visitors:+0.00;-0.00} %");
        Assert.InRange(estimate, visitors * 0.97, visitors * 1.03);
    }

    [Fact]
    public void The_same_visitor_a_thousand_times_counts_as_one()
    {
        var marks = new VisitorMarks("a-secret-for-the-tests-only");
        var sketch = new VisitorSketch();
        for (var i = 0; i < 1000; i++)
        {
            sketch.Add(marks.Mark(Day, [192, 0, 2, 7], "Mozilla/5.0 Firefox/133.0"));
        }

        Assert.Equal(1, sketch.Estimate());
    }

    [Fact]
    public void A_visitor_gets_another_mark_on_another_day_another_browser_or_under_another_secret()
    {
        var marks = new VisitorMarks("a-secret-for-the-tests-only");
        var mark = marks.Mark(Day, [192, 0, 2, 7], "Firefox");

        Assert.Equal(mark, new VisitorMarks("a-secret-for-the-tests-only").Mark(Day, [192, 0, 2, 7], "Firefox"));
        var others = new[]
        {
            marks.Mark(Day.AddDays(1), [192, 0, 2, 7], "Firefox"),
            marks.Mark(Day, [192, 0, 2, 8], "Firefox"),
            marks.Mark(Day, [192, 0, 2, 7], "Chrome"),
            new VisitorMarks("another-secret").Mark(Day, [192, 0, 2, 7], "Firefox"),
        };

        // A mark has 20 bits: two of five may agree by chance about once in 100,000 runs.
        Assert.DoesNotContain(mark, others);
    }

    [Fact]
    public void Any_user_agent_and_address_give_a_valid_mark()
    {
        var marks = new VisitorMarks("a-secret-for-the-tests-only");
        Gen.Select(Gen.String, Gen.Byte.Array[0, 16]).Sample((agent, address) => VisitorSketch.IsMark(marks.Mark(Day, address, agent)));
        Assert.True(VisitorSketch.IsMark(marks.Mark(Day, [], null)));
        Assert.True(VisitorSketch.IsMark(marks.Mark(Day, new byte[16], new string('x', 100_000))));
    }

    [Fact]
    public void Marks_cover_every_register_and_rank()
    {
        Gen.ULong.Sample(hash =>
        {
            var mark = VisitorSketch.Mark(hash);
            return VisitorSketch.IsMark(mark) && mark >> 6 == (int)(hash >> 50);
        });
        Assert.Equal(VisitorSketch.MaxRank, VisitorSketch.Mark(0) & 63);
        Assert.Equal(1, VisitorSketch.Mark(ulong.MaxValue) & 63);
    }

    [Fact]
    public void Merging_is_a_union_and_merging_twice_changes_nothing()
    {
        var (a, b) = (new VisitorSketch(), new VisitorSketch());
        for (var i = 0; i < 5000; i++)
        {
            (i % 2 == 0 ? a : b).Add(VisitorSketch.Mark(Hash(i)));
        }

        var union = new VisitorSketch();
        union.Merge(a);
        union.Merge(b);
        var once = union.Estimate();
        union.Merge(b);
        union.Merge(a);

        Assert.Equal(once, union.Estimate());
        Assert.InRange(once, 5000 * 0.97, 5000 * 1.03);
    }

    [Fact]
    public void The_stored_form_reads_back_the_same_sketch_sparse_or_dense()
    {
        Gen.Int[0, 20_000].Sample(count =>
        {
            var sketch = new VisitorSketch();
            for (var i = 0; i < count; i++)
            {
                sketch.Add(VisitorSketch.Mark(Hash(i)));
            }

            var bytes = sketch.ToBytes();
            var read = VisitorSketch.FromBytes(bytes);
            return read.ToBytes().AsSpan().SequenceEqual(bytes) && read.Estimate() == sketch.Estimate() && read.IsEmpty == (count == 0)
                && bytes.Length <= 1 + VisitorSketch.RegisterCount;
        }, iter: 40);
    }

    [Fact]
    public void Stored_bytes_of_any_shape_read_without_throwing()
    {
        Gen.Byte.Array[0, 20_000].Sample(bytes => VisitorSketch.FromBytes(bytes).Estimate() >= 0);
        Assert.True(VisitorSketch.FromBytes([1, 0xFF, 0xFF, 63]).IsEmpty);
    }

    private static ulong Hash(int i) => BinaryPrimitives.ReadUInt64BigEndian(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
}
