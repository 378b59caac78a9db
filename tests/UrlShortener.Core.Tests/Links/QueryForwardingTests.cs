using CsCheck;
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

    [Theory]
    [InlineData("?x=a\rb", "https://e.com/p")]
    [InlineData("?x=a\u0001b&y=1", "https://e.com/p?y=1")]
    [InlineData("?y=1&x=a\u007fb", "https://e.com/p?y=1")]
    [InlineData("?x=a\nb&y=\u0085", "https://e.com/p")]
    public void A_visitor_parameter_with_a_control_character_is_left_out(string incoming, string expected) =>
        Assert.Equal(expected, QueryForwarding.Merge("https://e.com/p", incoming));

    [Theory]
    [InlineData("?q=caf\u00e9", "https://e.com/p?q=caf%C3%A9")]
    [InlineData("?q=a b", "https://e.com/p?q=a%20b")]
    [InlineData("?q=<x>\"", "https://e.com/p?q=%3Cx%3E%22")]
    [InlineData("?q=%41", "https://e.com/p?q=%41")]
    public void Characters_a_url_may_not_hold_are_percent_encoded(string incoming, string expected) =>
        Assert.Equal(expected, QueryForwarding.Merge("https://e.com/p", incoming));

    [Fact]
    public void Any_visitor_query_gives_a_location_of_uri_characters_that_keeps_the_destination() =>
        Gen.String.Sample(query =>
        {
            var merged = QueryForwarding.Merge("https://e.com/p?keep=1#frag", query);
            return merged.All(c => char.IsAsciiLetterOrDigit(c) || "-._~:/?#[]@!$&'()*+,;=%".Contains(c))
                && Enumerable.Range(0, merged.Length).All(i => merged[i] != '%' || (i + 2 < merged.Length && char.IsAsciiHexDigit(merged[i + 1]) && char.IsAsciiHexDigit(merged[i + 2])))
                && merged.StartsWith("https://e.com/p?", StringComparison.Ordinal)
                && merged.IndexOf('#', StringComparison.Ordinal) == merged.Length - "#frag".Length
                && Uri.TryCreate(merged, UriKind.Absolute, out _);
        }, iter: 20_000);
}
