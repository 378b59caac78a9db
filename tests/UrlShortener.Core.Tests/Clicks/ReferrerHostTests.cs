using CsCheck;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Core.Tests.Clicks;

/// <summary>The referrer's host, read the quick way for plain hosts, must be what <see cref="Uri"/> says.</summary>
public class ReferrerHostTests
{
    public static TheoryData<string> Referrers =>
    [
        "https://www.google.com/search?q=secret",
        "https://News.YCombinator.com/item?id=1",
        "HTTP://WWW.EXAMPLE.COM",
        "http://example.com:8080/path",
        "http://example.com:0/",
        "http://example.com:65535",
        "http://example.com:65536/",
        "http://example.com:/",
        "http://example.com:abc/",
        "https://t.co/AbCdEf",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fsho.rt",
        "https://sub-domain.my-site.co.uk#fragment",
        "https://www.",
        "https://www.com",
        "https://www",
        "https://wwwx.example.org/",
        "http://127.0.0.1/",
        "http://127.1/",
        "http://0x7f.1/",
        "http://[::1]:80/",
        "http://user:pass@example.com/",
        "http://exa%41mple.com/",
        "http://bücher.example/",
        "http://xn--bcher-kva.example/",
        "http://example.com./",
        "http://.example.com/",
        "http://a..b.com/",
        "http://-a-.com/",
        "http://a_b.com/",
        "http://example.com\\path",
        "http://example.com/a b",
        "http:///path",
        "http://",
        "https://?q",
        "ftp://example.com/",
        "android-app://com.slack/",
        "//example.com/",
        "not a url",
        "http://example.com?x=1",
        "http://1example.com/",
        "http://example.1com/",
        "http://example.c0m/",
        "http://EXAMPLE.com:443?",
        $"https://{new string('a', 50)}.{new string('b', 46)}.com/",
        $"https://www.{new string('x', 120)}.example.com/",
        $"https://{new string('y', 140)}/",
        $"https://bücher.{new string('c', 99)}.example/",
    ];

    [Theory]
    [MemberData(nameof(Referrers))]
    public void The_quick_way_and_uri_agree(string referer) =>
        Assert.Equal(ClickFacts.ReferrerHostByUri(referer), ClickFacts.ReferrerHost(referer));

    [Fact]
    public void Random_referrers_from_url_characters_agree_too()
    {
        var random = new Random(20261121);
        const string characters = "abcxyzABC019.-_:/?#@%[]\\ ü";
        string[] prefixes = ["http://", "https://", "HTTPS://www.", "http://www", "ftp://", ""];
        for (var i = 0; i < 20_000; i++)
        {
            var tail = new string(Enumerable.Range(0, random.Next(0, 24)).Select(_ => characters[random.Next(characters.Length)]).ToArray());
            var referer = prefixes[random.Next(prefixes.Length)] + tail;
            Assert.True(
                ClickFacts.ReferrerHostByUri(referer) == ClickFacts.ReferrerHost(referer),
                $"'{referer}': Uri says '{ClickFacts.ReferrerHostByUri(referer)}', the quick way '{ClickFacts.ReferrerHost(referer)}'.");
        }
    }

    [Fact]
    public void A_host_seen_again_is_the_same_string()
    {
        var first = ClickFacts.ReferrerHost("https://www.linkedin.com/feed/update/1");
        var again = ClickFacts.ReferrerHost("https://LinkedIn.com/in/someone");

        Assert.Equal("linkedin.com", first);
        Assert.Same(first, again);
    }

    [Theory]
    [InlineData(101, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.com")]
    [InlineData(100, null)]
    public void A_host_longer_than_stats_keep_loses_its_leftmost_labels(int length, string? expected)
    {
        var host = $"{new string('a', length - 51)}.{new string('b', 46)}.com";

        Assert.Equal(expected ?? host, ClickFacts.ReferrerHost($"https://{host}/page"));
    }

    [Fact]
    public void A_single_label_host_too_long_to_keep_counts_as_other() =>
        Assert.Equal(Dimensions.Unknown, ClickFacts.ReferrerHost($"https://{new string('y', 140)}/"));

    [Fact]
    public void Every_referrer_host_is_one_the_stats_stores_can_keep() =>
        Gen.OneOf(Gen.String, Gen.String[Gen.Char["a-z.-"], 1, 300].Select(h => "https://" + h + "/"))
            .Sample(referer =>
            {
                var host = ClickFacts.ReferrerHost(referer);
                var click = new ClickEvent("abc", DateTimeOffset.UnixEpoch, host, "Chrome", "Windows", "Desktop", null, false);
                return host is null || ReferenceEquals(ClickValidation.WithStorableDimensions(click), click);
            }, iter: 20_000);
}
