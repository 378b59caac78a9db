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
    public void Anything_else_is_refused(string text) =>
        Assert.False(LinkCursor.TryDecode(text, out _));
}
