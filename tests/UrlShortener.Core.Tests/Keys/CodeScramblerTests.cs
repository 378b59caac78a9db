using UrlShortener.Core.Keys;

namespace UrlShortener.Core.Tests.Keys;

public class CodeScramblerTests
{
    private const string Secret = "a-test-secret-of-decent-length";

    [Fact]
    public void Scramble_is_a_bijection_on_a_small_code_space()
    {
        // Two characters: 3,844 codes, small enough to check every one.
        var scrambler = new CodeScrambler(Secret, 2);
        var seen = new HashSet<ulong>();
        for (ulong value = 0; value < scrambler.SpaceSize; value++)
        {
            var scrambled = scrambler.Scramble(value);
            Assert.InRange(scrambled, 0UL, scrambler.SpaceSize - 1);
            Assert.True(seen.Add(scrambled), $"{value} collided");
            Assert.Equal(value, scrambler.Unscramble(scrambled));
        }
    }

    [Fact]
    public void Unscramble_reverses_scramble_on_seven_character_codes()
    {
        var scrambler = new CodeScrambler(Secret, 7);
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var value = (ulong)random.NextInt64((long)scrambler.SpaceSize);
            Assert.Equal(value, scrambler.Unscramble(scrambler.Scramble(value)));
        }
    }

    [Fact]
    public void Generated_codes_are_seven_base62_characters()
    {
        var scrambler = new CodeScrambler(Secret, 7);
        for (ulong value = 0; value < 1000; value++)
        {
            var code = scrambler.ToCode(value);
            Assert.Equal(7, code.Length);
            Assert.All(code, c => Assert.True(Base62.IsBase62(c)));
        }
    }

    [Fact]
    public void Consecutive_codes_differ_in_most_of_their_seven_positions()
    {
        var scrambler = new CodeScrambler(Secret, 7);
        const int samples = 100_000;
        var start = (ulong)new Random(1).NextInt64(1_000_000_000);
        var differingPositions = 0L;
        var sameFirstFour = 0;
        var previous = scrambler.ToCode(start);
        for (var i = 1; i <= samples; i++)
        {
            var code = scrambler.ToCode(start + (ulong)i);
            var differing = 0;
            for (var p = 0; p < 7; p++)
            {
                if (code[p] != previous[p])
                {
                    differing++;
                }
            }

            differingPositions += differing;
            sameFirstFour += code.AsSpan(0, 4).SequenceEqual(previous.AsSpan(0, 4)) ? 1 : 0;
            previous = code;
        }

        // Unrelated random codes differ in 7 * 61/62 = 6.89 positions on average.
        var average = (double)differingPositions / samples;
        Assert.True(average > 6.5, $"consecutive codes differ in only {average:F2} positions on average");
        Assert.True(sameFirstFour < 10, $"{sameFirstFour} consecutive pairs shared a four-character prefix");
    }

    [Fact]
    public void Another_secret_gives_other_codes()
    {
        var ours = new CodeScrambler(Secret, 7);
        var theirs = new CodeScrambler(Secret + "!", 7);
        var same = Enumerable.Range(0, 1000).Count(i => ours.ToCode((ulong)i) == theirs.ToCode((ulong)i));
        Assert.Equal(0, same);
    }

    [Fact]
    public void Codes_of_every_length_stay_inside_their_space()
    {
        for (var length = 1; length <= Base62.MaxLength; length++)
        {
            var scrambler = new CodeScrambler(Secret, length);
            var random = new Random(length);
            for (var i = 0; i < 1000; i++)
            {
                var value = (ulong)random.NextInt64((long)Math.Min(scrambler.SpaceSize, long.MaxValue));
                Assert.True(scrambler.Scramble(value) < scrambler.SpaceSize);
            }
        }
    }
}
