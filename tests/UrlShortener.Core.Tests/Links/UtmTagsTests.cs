using CsCheck;
using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class UtmTagsTests
{
    private static ShortLink Link(string url, UtmTags? utm, bool forwardQuery = false) => new()
    {
        Code = "abc1234",
        Owner = "o",
        Url = url,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Utm = utm,
        ForwardQuery = forwardQuery,
    };

    [Fact]
    public void The_links_tags_win_over_the_destinations_own_and_everything_else_stays_in_order()
    {
        var link = Link("https://example.com/p?utm_source=old&id=7#top", new UtmTags("news", "email", "spring sale", null, null));

        var redirect = (RedirectDecision.Redirect)RedirectPolicy.Decide(link, DateTimeOffset.UnixEpoch, "");

        Assert.Equal("https://example.com/p?id=7&utm_source=news&utm_medium=email&utm_campaign=spring%20sale#top", redirect.Location);
        Assert.Equal("spring sale", redirect.Campaign);
    }

    [Fact]
    public void With_the_query_forwarded_the_visitor_adds_and_overrides_but_the_links_tags_win_over_the_visitor()
    {
        var link = Link("https://example.com/p?id=7", new UtmTags("news", null, "spring", null, null), forwardQuery: true);

        var redirect = (RedirectDecision.Redirect)RedirectPolicy.Decide(link, DateTimeOffset.UnixEpoch, "?utm_source=twitter&utm_term=shoes&id=8&x=1");

        Assert.Equal("https://example.com/p?utm_term=shoes&id=8&x=1&utm_source=news&utm_campaign=spring", redirect.Location);
    }

    [Fact]
    public void A_visit_counts_under_the_links_campaign_else_the_visitors_else_none()
    {
        Assert.Equal("spring", UtmTags.CampaignOf(Link("https://e.com/", new UtmTags(null, null, "spring", null, null)), "?utm_campaign=other"));
        Assert.Equal("black friday", UtmTags.CampaignOf(Link("https://e.com/", null), "?a=1&utm_campaign=black+friday"));
        Assert.Equal("q4/launch", UtmTags.CampaignOf(Link("https://e.com/", new UtmTags("s", null, null, null, null)), "utm_campaign=q4%2Flaunch"));
        Assert.Null(UtmTags.CampaignOf(Link("https://e.com/", null), ""));
        Assert.Null(UtmTags.CampaignOf(Link("https://e.com/", null), "?utm_campaign=%07bell"));
        Assert.Null(UtmTags.CampaignOf(Link("https://e.com/", null), "?utm_campaign="));
    }

    [Fact]
    public void Without_tags_or_a_forwarded_query_the_location_is_the_stored_url_itself()
    {
        var link = Link("https://example.com/p?utm_source=own", null);
        Assert.Same(link.Url, ((RedirectDecision.Redirect)RedirectPolicy.Decide(link, DateTimeOffset.UnixEpoch, "?utm_source=x")).Location);
    }

    [Fact]
    public void Any_printable_tag_values_give_a_valid_location_that_reads_back_as_those_values() =>
        Gen.Select(Gen.String[Gen.Char[' ', '\uFFFD'], 1, 40], Gen.String[Gen.Char[' ', '~'], 1, 40]).Sample((source, campaign) =>
        {
            if (source.Any(char.IsControl) || char.IsSurrogate(source[^1]) || source.Any(char.IsSurrogate))
            {
                return;
            }

            var link = Link("https://example.com/p?id=1", new UtmTags(source, null, campaign, null, null), forwardQuery: true);
            var location = ((RedirectDecision.Redirect)RedirectPolicy.Decide(link, DateTimeOffset.UnixEpoch, "?utm_source=visitor&z=2")).Location;

            Assert.True(Uri.TryCreate(location, UriKind.Absolute, out _), location);
            var pairs = location[(location.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
            Assert.Equal(source, pairs["utm_source"]);
            Assert.Equal(campaign, pairs["utm_campaign"]);
            Assert.Equal("1", pairs["id"]);
            Assert.Equal("2", pairs["z"]);
        });

    [Fact]
    public void Tags_merge_field_by_field_and_an_empty_or_null_value_clears_one()
    {
        var errors = new ValidationErrors();
        var current = new UtmTags("news", "email", null, null, null);

        var merged = LinkRules.CheckUtm(current, new Dictionary<string, string?> { ["medium"] = null, ["campaign"] = "  spring ", ["term"] = "" }, errors);

        Assert.True(errors.IsEmpty);
        Assert.Equal(new UtmTags("news", null, "spring", null, null), merged);
        Assert.Null(LinkRules.CheckUtm(merged, new Dictionary<string, string?> { ["source"] = null, ["campaign"] = null }, errors));
        LinkRules.CheckUtm(null, new Dictionary<string, string?> { ["gclid"] = "x", ["source"] = new string('s', 201) }, errors);
        Assert.True(errors.Contains("utm.gclid"));
        Assert.True(errors.Contains("utm.source"));
    }
}
