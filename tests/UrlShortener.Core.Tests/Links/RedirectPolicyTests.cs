using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Links;

public class RedirectPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static readonly ShortLink Link = new()
    {
        Code = "abc1234",
        Owner = "owner",
        Url = "https://example.com/page?x=1",
        CreatedAt = Now.AddDays(-1),
        UpdatedAt = Now.AddDays(-1),
    };

    [Fact]
    public void An_unknown_code_is_not_found() =>
        Assert.IsType<RedirectDecision.NotFound>(RedirectPolicy.Decide(null, Now, ""));

    [Theory]
    [InlineData(RedirectType.Found)]
    [InlineData(RedirectType.MovedPermanently)]
    [InlineData(RedirectType.TemporaryRedirect)]
    [InlineData(RedirectType.PermanentRedirect)]
    public void An_active_link_redirects_with_its_own_status(RedirectType type)
    {
        var redirect = Assert.IsType<RedirectDecision.Redirect>(RedirectPolicy.Decide(Link with { RedirectType = type }, Now, ""));
        Assert.Equal(type, redirect.Status);
        Assert.Equal(Link.Url, redirect.Location);
        Assert.True(redirect.CountsAsVisit);
    }

    [Fact]
    public void A_link_is_expired_from_its_expiry_instant_on()
    {
        Assert.IsType<RedirectDecision.Redirect>(RedirectPolicy.Decide(Link with { ExpiresAt = Now.AddMilliseconds(1) }, Now, ""));
        var gone = Assert.IsType<RedirectDecision.Gone>(RedirectPolicy.Decide(Link with { ExpiresAt = Now }, Now, ""));
        Assert.Equal(LinkState.Expired, gone.State);
    }

    [Fact]
    public void Deleted_and_disabled_links_are_gone()
    {
        Assert.Equal(LinkState.Deleted, Assert.IsType<RedirectDecision.Gone>(RedirectPolicy.Decide(Link with { DeletedAt = Now }, Now, "")).State);
        Assert.Equal(LinkState.Disabled, Assert.IsType<RedirectDecision.Gone>(RedirectPolicy.Decide(Link with { Disabled = true }, Now, "")).State);
    }

    [Fact]
    public void An_inactive_link_with_a_fallback_redirects_there_temporarily_without_counting()
    {
        var link = Link with { ExpiresAt = Now.AddDays(-1), FallbackUrl = "https://example.com/expired", RedirectType = RedirectType.MovedPermanently };
        var redirect = Assert.IsType<RedirectDecision.Redirect>(RedirectPolicy.Decide(link, Now, "?a=1"));
        Assert.Equal("https://example.com/expired", redirect.Location);
        Assert.Equal(RedirectType.Found, redirect.Status);
        Assert.False(redirect.CountsAsVisit);
    }

    [Fact]
    public void The_query_is_forwarded_only_when_the_link_asks_for_it()
    {
        Assert.Equal(Link.Url, Assert.IsType<RedirectDecision.Redirect>(RedirectPolicy.Decide(Link, Now, "?a=1")).Location);
        var forwarding = Link with { ForwardQuery = true };
        Assert.Equal("https://example.com/page?x=1&a=1", Assert.IsType<RedirectDecision.Redirect>(RedirectPolicy.Decide(forwarding, Now, "?a=1")).Location);
    }
}
