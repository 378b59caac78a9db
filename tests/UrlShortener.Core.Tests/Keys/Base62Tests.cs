using UrlShortener.Core.Keys;

namespace UrlShortener.Core.Tests.Keys;

public class Base62Tests
{
    [Theory]
    [InlineData(0UL, 7, "0000000")]
    [InlineData(61UL, 1, "z")]
    [InlineData(62UL, 2, "10")]
    [InlineData(3_521_614_606_207UL, 7, "zzzzzzz")]
    public void Encode_writes_fixed_length_digits(ulong value, int length, string expected) =>
        Assert.Equal(expected, Base62.Encode(value, length));

    [Fact]
    public void Decode_reverses_encode_over_seeded_random_values()
    {
        var random = new Random(62);
        var space = Base62.SpaceSize(7);
        for (var i = 0; i < 10_000; i++)
        {
            var value = (ulong)random.NextInt64((long)space);
            Assert.True(Base62.TryDecode(Base62.Encode(value, 7), out var decoded));
            Assert.Equal(value, decoded);
        }
    }

    [Fact]
    public void Encode_refuses_a_value_outside_the_code_space() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Encode(Base62.SpaceSize(7), 7));

    [Theory]
    [InlineData("")]
    [InlineData("abc-def")]
    [InlineData("a b")]
    [InlineData("zzzzzzzzzzz")]
    public void Decode_rejects_text_that_is_not_base62(string text) =>
        Assert.False(Base62.TryDecode(text, out _));

    [Fact]
    public void Space_of_seven_characters_is_62_to_the_7th() =>
        Assert.Equal(3_521_614_606_208UL, Base62.SpaceSize(7));
}
