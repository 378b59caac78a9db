using System.Net;
using System.Net.Http.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

public abstract class RedirectEndpointsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _api = app.Client();
    private readonly HttpClient _visitor = app.ClientWith(key: null);

    [Fact]
    public async Task A_short_link_answers_302_to_its_destination_without_an_api_key()
    {
        var link = await _api.CreateLinkAsync(new { url = "https://example.com/landing?x=1" });

        using var response = await _visitor.GetAsync($"/{link.Code}");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://example.com/landing?x=1", response.Headers.Location!.OriginalString);
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Theory]
    [InlineData(301, HttpStatusCode.MovedPermanently)]
    [InlineData(302, HttpStatusCode.Found)]
    [InlineData(307, HttpStatusCode.TemporaryRedirect)]
    [InlineData(308, HttpStatusCode.PermanentRedirect)]
    public async Task A_link_answers_with_its_redirect_type(int redirectType, HttpStatusCode expected)
    {
        var link = await _api.CreateLinkAsync(new { url = "https://example.com/typed", redirectType });

        using var response = await _visitor.GetAsync($"/{link.Code}");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("https://example.com/typed", response.Headers.Location!.OriginalString);
        var permanent = redirectType is 301 or 308;
        Assert.Equal(permanent, response.Headers.CacheControl!.MaxAge is not null);
        Assert.Equal(!permanent, response.Headers.CacheControl.NoStore);
    }

    [Fact]
    public async Task Head_is_answered_like_get_without_a_body()
    {
        var link = await _api.CreateLinkAsync(new { url = "https://example.com/head" });

        using var response = await _visitor.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{link.Code}"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://example.com/head", response.Headers.Location!.OriginalString);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/nothere")]
    [InlineData("/favicon.ico")]
    [InlineData("/robots.txt")]
    [InlineData("/a%20b")]
    public async Task An_unknown_code_answers_404(string path)
    {
        using var response = await _visitor.GetAsync(path);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "urn:urlshortener:problem:link-not-found");
    }

    [Fact]
    public async Task A_deleted_link_answers_410()
    {
        var link = await _api.CreateLinkAsync(new { url = "https://example.com/deleted" });
        (await _visitor.GetAsync($"/{link.Code}")).Dispose();

        await _api.DeleteAsync($"/api/links/{link.Code}");

        using var response = await _visitor.GetAsync($"/{link.Code}");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Gone, "urn:urlshortener:problem:link-gone");
    }

    [Fact]
    public async Task A_disabled_link_answers_410_until_enabled_again()
    {
        var link = await _api.CreateLinkAsync(new { url = "https://example.com/paused" });

        await _api.PatchAsJsonAsync($"/api/links/{link.Code}", new { disabled = true });
        using (var paused = await _visitor.GetAsync($"/{link.Code}"))
        {
            Assert.Equal(HttpStatusCode.Gone, paused.StatusCode);
        }

        await _api.PatchAsJsonAsync($"/api/links/{link.Code}", new { disabled = false });
        using var resumed = await _visitor.GetAsync($"/{link.Code}");
        Assert.Equal(HttpStatusCode.Found, resumed.StatusCode);
    }

    [Fact]
    public async Task Forward_query_merges_the_visitors_query_into_the_destination()
    {
        var forwarding = await _api.CreateLinkAsync(new { url = "https://example.com/p?utm_source=site&id=7#top", forwardQuery = true });
        var plain = await _api.CreateLinkAsync(new { url = "https://example.com/p?id=7" });

        using var merged = await _visitor.GetAsync($"/{forwarding.Code}?utm_source=newsletter&ref=abc");
        using var kept = await _visitor.GetAsync($"/{plain.Code}?utm_source=newsletter");

        Assert.Equal("https://example.com/p?id=7&utm_source=newsletter&ref=abc#top", merged.Headers.Location!.OriginalString);
        Assert.Equal("https://example.com/p?id=7", kept.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_changed_destination_is_served_at_once_by_the_instance_that_changed_it()
    {
        var link = await _api.CreateLinkAsync(new { url = "https://example.com/v1" });
        (await _visitor.GetAsync($"/{link.Code}")).Dispose();

        await _api.PatchAsJsonAsync($"/api/links/{link.Code}", new { url = "https://example.com/v2" });

        using var response = await _visitor.GetAsync($"/{link.Code}");
        Assert.Equal("https://example.com/v2", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_code_that_was_unknown_redirects_as_soon_as_it_is_created()
    {
        var alias = "soon-" + Guid.NewGuid().ToString("N")[..8];
        using (var before = await _visitor.GetAsync($"/{alias}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        await _api.CreateLinkAsync(new { url = "https://example.com/soon", alias });

        using var after = await _visitor.GetAsync($"/{alias}");
        Assert.Equal(HttpStatusCode.Found, after.StatusCode);
    }

    [Fact]
    public async Task A_non_ascii_destination_is_sent_as_a_valid_location_header()
    {
        var link = await _api.CreateLinkAsync(new { url = "https://bücher.example/straße?q=ü" });

        using var response = await _visitor.GetAsync($"/{link.Code}");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC", response.Headers.Location!.OriginalString);
    }
}


/// <summary>What needs the app in this process: its clock.</summary>
public abstract class RedirectEndpointsInProcessTests<TApp>(TApp app) : RedirectEndpointsTests<TApp>(app)
    where TApp : ShortenerApp, new()
{
    private readonly TApp _app = app;

    [Fact]
    public async Task An_expired_link_answers_410()
    {
        using var own = new TApp();
        var link = await own.Client().CreateLinkAsync(new { url = "https://example.com/sale", expiresAt = DateTimeOffset.UtcNow.AddHours(1) });
        var visitor = own.ClientWith(null);
        using (var before = await visitor.GetAsync($"/{link.Code}"))
        {
            Assert.Equal(HttpStatusCode.Found, before.StatusCode);
        }

        own.Clock.Advance(TimeSpan.FromHours(2));

        // The cached entry is still fresh: expiry is decided at each visit, not when the entry was cached.
        using var after = await visitor.GetAsync($"/{link.Code}");
        await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Gone, "urn:urlshortener:problem:link-gone");
    }

    [Fact]
    public async Task An_expired_or_deleted_link_with_a_fallback_redirects_there()
    {
        using var own = new TApp();
        var api = own.Client();
        var visitor = own.ClientWith(null);
        var expiring = await api.CreateLinkAsync(new
        {
            url = "https://example.com/offer",
            expiresAt = DateTimeOffset.UtcNow.AddMinutes(5),
            fallbackUrl = "https://example.com/offer-ended",
            redirectType = 301,
        });
        var deleted = await api.CreateLinkAsync(new { url = "https://example.com/old", fallbackUrl = "https://example.com/new-home" });
        await api.DeleteAsync($"/api/links/{deleted.Code}");

        own.Clock.Advance(TimeSpan.FromMinutes(10));

        using var expired = await visitor.GetAsync($"/{expiring.Code}");
        Assert.Equal(HttpStatusCode.Found, expired.StatusCode);
        Assert.Equal("https://example.com/offer-ended", expired.Headers.Location!.OriginalString);
        using var gone = await visitor.GetAsync($"/{deleted.Code}");
        Assert.Equal(HttpStatusCode.Found, gone.StatusCode);
        Assert.Equal("https://example.com/new-home", gone.Headers.Location!.OriginalString);
    }
}

public sealed class RedirectEndpointsOnEmbeddedTests(ShortenerApp app) : RedirectEndpointsInProcessTests<ShortenerApp>(app);

public sealed class RedirectEndpointsOnCosmosRedisTests(CosmosRedisApp app) : RedirectEndpointsInProcessTests<CosmosRedisApp>(app);

public sealed class RedirectEndpointsOnFunctionsWorkerTests(WorkerApp app) : RedirectEndpointsTests<WorkerApp>(app);

