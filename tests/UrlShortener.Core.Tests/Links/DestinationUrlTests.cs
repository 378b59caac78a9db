using CsCheck;
using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class DestinationUrlTests
{
    private static readonly OwnHosts OwnAuthorities = OwnHosts.Of([new Uri("https://sho.rt/"), new Uri("http://localhost:7071/")]);

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
    [InlineData("http:/\\evil.com", "must start with http:// or https://")]
    [InlineData("https:evil.com", "must start with http:// or https://")]
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

    [Theory]
    [InlineData("http://127.0.0.1:7071/loopb")]
    [InlineData("http://[::1]:7071/x")]
    [InlineData("http://localhost.:7071/x")]
    [InlineData("http://LOCALHOST:7071/x")]
    [InlineData("http://0x7f000001:7071/x")]
    [InlineData("http://2130706433:7071/x")]
    [InlineData("http://0177.0.0.1:7071/x")]
    [InlineData("http://127.1:7071/x")]
    [InlineData("http://127.9.8.7:7071/x")]
    [InlineData("http://[::ffff:127.0.0.1]:7071/x")]
    [InlineData("http://[::ffff:7f00:1]:7071/x")]
    [InlineData("http://0.0.0.0:7071/x")]
    [InlineData("http://app.localhost:7071/x")]
    [InlineData("https://sho.rt./abc")]
    [InlineData("https://Sho.Rt:443/abc")]
    [InlineData("http://sho.rt/abc")]
    [InlineData("http://sho.rt:80/abc")]
    public void Refuses_this_shortener_in_every_spelling_of_its_host(string url) =>
        Assert.Contains("back to this shortener", DestinationUrl.Check(url, OwnAuthorities, out _), StringComparison.Ordinal);

    [Theory]
    [InlineData("http://127.0.0.1:7072/other-app")]
    [InlineData("https://sho.rt:8443/abc")]
    [InlineData("https://sho.rtx/abc")]
    [InlineData("https://a.sho.rt/abc")]
    [InlineData("http://10.0.0.1:7071/x")]
    public void Accepts_other_ports_and_hosts(string url) =>
        Assert.Null(DestinationUrl.Check(url, OwnAuthorities, out _));

    [Fact]
    public void A_shortener_on_a_public_ip_is_refused_in_its_other_spellings()
    {
        var own = OwnHosts.Of([new Uri("http://93.184.215.14:8080/")]);

        foreach (var url in new[] { "http://1572394766:8080/", "http://0x5db8d70e:8080/", "http://[::ffff:93.184.215.14]:8080/", "http://93.184.215.14:8080/" })
        {
            Assert.NotNull(DestinationUrl.Check(url, own, out _));
        }
    }

    [Fact]
    public void Any_text_is_either_refused_with_a_reason_or_stored_as_an_ascii_http_url() =>
        Gen.OneOf(Gen.String, Gen.String[Gen.Char["a-zA-Z0-9:/.?#@%[]\\ -"], 0, 60].Select(t => "http://" + t), Gen.String.Select(t => "https://" + t))
            .Sample(text =>
            {
                var problem = DestinationUrl.Check(text, OwnAuthorities, out var normalized);
                return problem is not null
                    ? problem.Length > 0 && normalized.Length == 0
                    : normalized.All(char.IsAscii) && !normalized.Any(char.IsControl) && !normalized.Contains(' ')
                        && Uri.TryCreate(normalized, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https")
                        && DestinationUrl.Check(normalized, OwnAuthorities, out var again) is null && again == normalized;
            }, iter: 20_000);
}
