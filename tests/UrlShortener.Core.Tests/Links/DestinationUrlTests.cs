using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class DestinationUrlTests
{
    private static readonly string[] OwnAuthorities = ["sho.rt", "localhost:7071"];

    [Theory]
    [InlineData("https://example.com")]
    [InlineData("http://example.com/path?q=1#top")]
    [InlineData("https://sub.example.co.uk:8443/a/b")]
    [InlineData("https://localhost:7072/other-app")]
    public void Accepts_absolute_http_and_https_urls_as_given(string url)
    {
        Assert.Null(DestinationUrl.Check(url, OwnAuthorities, out var normalized));
        Assert.Equal(url, normalized);
    }

    [Theory]
    [InlineData("/relative/path", "absolute")]
    [InlineData("example.com", "absolute")]
    [InlineData("javascript:alert(1)", "scheme 'javascript'")]
    [InlineData("data:text/html,<b>hi</b>", "scheme 'data'")]
    [InlineData("ftp://example.com/file", "scheme 'ftp'")]
    [InlineData("https://user:secret@example.com/", "credentials")]
    [InlineData("https://token@example.com/", "credentials")]
    [InlineData("https://sho.rt/abc", "back to this shortener")]
    [InlineData("https://SHO.RT:443/abc", "back to this shortener")]
    [InlineData("http://localhost:7071/x", "back to this shortener")]
    [InlineData("https://example.com/a b", "spaces")]
    [InlineData("https://example.com/\t", "spaces")]
    [InlineData("", "empty")]
    public void Refuses_what_a_shortener_must_not_redirect_to(string url, string reason)
    {
        var problem = DestinationUrl.Check(url, OwnAuthorities, out _);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_urls_over_8_kb()
    {
        var url = "https://example.com/" + new string('a', DestinationUrl.MaxLength);
        Assert.Contains("8192", DestinationUrl.Check(url, OwnAuthorities, out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_a_url_of_exactly_8_kb()
    {
        var url = "https://example.com/" + new string('a', DestinationUrl.MaxLength - "https://example.com/".Length);
        Assert.Null(DestinationUrl.Check(url, OwnAuthorities, out _));
    }

    [Fact]
    public void Non_ascii_urls_are_stored_in_a_form_a_location_header_can_carry()
    {
        Assert.Null(DestinationUrl.Check("https://bücher.example/straße?q=ü#é", OwnAuthorities, out var normalized));
        Assert.Equal("https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC#%C3%A9", normalized);
    }
}
