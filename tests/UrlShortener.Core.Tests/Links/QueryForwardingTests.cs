using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class QueryForwardingTests
{
    [Theory]
    [InlineData("https://e.com/p", "?a=1", "https://e.com/p?a=1")]
    [InlineData("https://e.com/p?x=1", "?a=1", "https://e.com/p?x=1&a=1")]
    [InlineData("https://e.com/p?utm_source=site&x=1", "?utm_source=mail", "https://e.com/p?x=1&utm_source=mail")]
    [InlineData("https://e.com/p?x=1#frag", "?a=2", "https://e.com/p?x=1&a=2#frag")]
    [InlineData("https://e.com/p#frag", "?a=2", "https://e.com/p?a=2#frag")]
    [InlineData("https://e.com/p?x=1", "?", "https://e.com/p?x=1")]
    [InlineData("https://e.com/p?x=1", "", "https://e.com/p?x=1")]
    [InlineData("https://e.com/p?a%20b=1", "?a+b=2", "https://e.com/p?a+b=2")]
    [InlineData("https://e.com/p?tag=a&tag=b", "?tag=c", "https://e.com/p?tag=c")]
    public void The_visitors_query_is_merged_into_the_destinations_and_wins_on_equal_names(string destination, string incoming, string expected) =>
        Assert.Equal(expected, QueryForwarding.Merge(destination, incoming));
}
