using System.Net;
using System.Security.Cryptography;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Limits;

/// <summary>Walking the code space ends in 429s; live links and other clients are untouched.</summary>
public abstract class UnknownCodeLimitTests<TStarter>(TStarter apps) : IClassFixture<TStarter>
    where TStarter : AppStarter
{
    [Fact]
    public async Task A_thousand_random_unknown_codes_end_in_429s_while_live_links_still_redirect_and_other_clients_are_unaffected()
    {
        var app = apps.Start(settings: [("RateLimits:UnknownCodes:Quota", "50"), ("RateLimits:UnknownCodes:WindowSeconds", "60")]);
        var live = await app.Client().CreateLinkAsync(new { url = "https://example.com/live" });
        var scanner = Visitor(app, "203.0.113.7");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 1000; i++)
        {
            using var response = await scanner.GetAsync("/" + RandomCode());
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 without Retry-After");
            }
        }

        // 50 at once, and about one more a second while the scan ran.
        Assert.All(statuses.Take(50), s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 900, $"{statuses.Count(s => s == HttpStatusCode.NotFound)} answered 404");
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        using (var refused = await scanner.GetAsync("/" + RandomCode()))
        {
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, "urn:urlshortener:problem:too-many-unknown-codes");
        }

        using (var hit = await scanner.GetAsync($"/{live.Code}"))
        {
            Assert.Equal(HttpStatusCode.Found, hit.StatusCode);
            Assert.Equal("https://example.com/live", hit.Headers.Location?.OriginalString);
        }

        using (var other = await Visitor(app, "198.51.100.9").GetAsync("/" + RandomCode()))
        {
            await ProblemAssert.IsProblemAsync(other, HttpStatusCode.NotFound, "urn:urlshortener:problem:link-not-found");
        }

        // Another host in the scanner's IPv6 /64 is the same client; another /64 is not.
        var v6 = Visitor(app, "2001:db8:1:2::10");
        for (var i = 0; i < 50; i++)
        {
            (await v6.GetAsync("/" + RandomCode())).Dispose();
        }

        using (var sameSlash64 = await Visitor(app, "2001:db8:1:2::99").GetAsync("/" + RandomCode()))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, sameSlash64.StatusCode);
        }

        using (var otherSlash64 = await Visitor(app, "2001:db8:1:3::10").GetAsync("/" + RandomCode()))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherSlash64.StatusCode);
        }
    }

    [Fact]
    public async Task A_head_for_an_unknown_code_is_counted_too_and_refused_without_a_body()
    {
        var app = apps.Start(settings: [("RateLimits:UnknownCodes:Quota", "2")]);
        var scanner = Visitor(app, "203.0.113.8");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await scanner.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/" + RandomCode()));
            statuses.Add(response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
    }

    // Requests come through loopback (the fake Functions host, or the test server), which is a trusted proxy.
    private static HttpClient Visitor(IAppUnderTest app, string address)
    {
        var client = app.ClientWith(null);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static string RandomCode() => RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 7);
}

public sealed class UnknownCodeLimitInProcessTests(InProcessAppStarter apps) : UnknownCodeLimitTests<InProcessAppStarter>(apps);

public sealed class UnknownCodeLimitOnFunctionsWorkerTests(WorkerAppStarter apps) : UnknownCodeLimitTests<WorkerAppStarter>(apps);
