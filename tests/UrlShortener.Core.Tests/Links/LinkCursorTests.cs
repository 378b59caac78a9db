using CsCheck;
using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class LinkCursorTests
{
    [Fact]
    public void A_cursor_survives_its_round_trip()
    {
        var cursor = new LinkCursor(DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123), "my-alias_1");
        Assert.True(LinkCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a cursor")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAvLy8")]
    [InlineData("A")]
    [InlineData("Em")]
    [InlineData("AB")]
    [InlineData("ABC")]
    [InlineData("ABCDE")]
    public void Anything_else_is_refused(string text) =>
        Assert.False(LinkCursor.TryDecode(text, out _));

    [Fact]
    public void A_cursor_spelled_other_than_it_was_encoded_is_refused()
    {
        var text = new LinkCursor(DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123), "abcdefgh").Encode();
        // The last character of an unpadded base64url string carries unused bits: flipping them names the same bytes.
        var last = text[^1];
        var other = text[..^1] + (char)(last + 1);
        Assert.False(LinkCursor.TryDecode(other, out _));
    }

    [Fact]
    public void No_text_makes_decoding_throw() =>
        Gen.OneOf(Gen.String, Gen.String[Gen.Char["A-Za-z0-9_-"], 0, 40])
            .Sample(text => { LinkCursor.TryDecode(text, out _); }, iter: 20_000);

    [Fact]
    public void Every_encoded_cursor_decodes_to_itself() =>
        Gen.Select(Gen.Long[0, 253_402_300_799_999], Gen.String[Gen.Char["A-Za-z0-9_-"], 1, 64])
            .Where(t => ShortCode.IsWellFormed(t.Item2))
            .Sample((millis, code) =>
            {
                var cursor = new LinkCursor(DateTimeOffset.FromUnixTimeMilliseconds(millis), code);
                return LinkCursor.TryDecode(cursor.Encode(), out var decoded) && decoded == cursor;
            });
}
