using CsCheck;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Core.Tests.Clicks;

public class UserAgentClassifierTests
{
    public static TheoryData<string, string, string, string, bool> Corpus()
    {
        var data = new TheoryData<string, string, string, string, bool>();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Clicks", "user-agents.tsv")))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var f = line.Split('\t');
            data.Add(f[0], f[1], f[2], f[3], bool.Parse(f[4]));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Real_user_agents_are_classified_as_expected(string userAgent, string browser, string operatingSystem, string device, bool bot) =>
        Assert.Equal(new VisitorKind(browser, operatingSystem, device, bot), UserAgentClassifier.Classify(userAgent));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_user_agent_is_a_script(string? userAgent) =>
        Assert.True(UserAgentClassifier.Classify(userAgent).IsBot);

    [Fact]
    public void Head_and_prefetch_requests_count_as_automated_whatever_the_browser()
    {
        const string chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        var now = DateTimeOffset.UtcNow;
        Assert.False(ClickFacts.Create("abc", now, "GET", chrome, null, null, isPrefetch: false).IsBot);
        Assert.True(ClickFacts.Create("abc", now, "HEAD", chrome, null, null, isPrefetch: false).IsBot);
        Assert.True(ClickFacts.Create("abc", now, "GET", chrome, null, null, isPrefetch: true).IsBot);
    }

    [Theory]
    [InlineData("https://www.google.com/search?q=secret", "google.com")]
    [InlineData("https://News.YCombinator.com/item?id=1", "news.ycombinator.com")]
    [InlineData("android-app://com.slack/", null)]
    [InlineData("not a url", null)]
    [InlineData("", null)]
    public void Only_the_referrers_host_is_kept(string referer, string? host) =>
        Assert.Equal(host, ClickFacts.ReferrerHost(referer));

    [Theory]
    [InlineData("us", "US")]
    [InlineData("XX", null)]
    [InlineData("USA", null)]
    [InlineData("1A", null)]
    public void Countries_are_iso_alpha_2_codes(string header, string? country) =>
        Assert.Equal(country, ClickFacts.Country(header));

    [Fact]
    public void Any_request_headers_make_a_click_the_aggregator_counts_as_it_is() =>
        Gen.Select(Gen.String, Gen.String, Gen.String, Gen.OneOf(Gen.Const("GET"), Gen.Const("HEAD")))
            .Sample((userAgent, referer, country, method) =>
            {
                var click = ClickFacts.Create("abc", DateTimeOffset.UtcNow, method, userAgent, referer, country, isPrefetch: false);
                return ClickValidation.Check(click, DateTimeOffset.UtcNow) is null
                    && ReferenceEquals(ClickValidation.WithStorableDimensions(click), click);
            }, iter: 20_000);
}
