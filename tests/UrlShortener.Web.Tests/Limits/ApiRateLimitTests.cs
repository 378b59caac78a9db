using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Limits;

/// <summary>Per-key quotas on the API, through either host.</summary>
public abstract partial class ApiRateLimitTests<TStarter>(TStarter apps) : IClassFixture<TStarter>
    where TStarter : AppStarter
{
    private protected TStarter Apps => apps;

    [Fact]
    public async Task Every_counted_answer_carries_the_ratelimit_headers_of_its_policy()
    {
        var app = apps.Start(settings: [("RateLimits:Writes:Quota", "50"), ("RateLimits:Reads:Quota", "500"), ("RateLimits:Reads:WindowSeconds", "30")]);
        var client = app.Client();

        using var created = await client.PostAsJsonAsync("/api/links", new { url = "https://example.com/headers" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"writes\";q=50;w=60", Header(created, "RateLimit-Policy"));
        var state = RateLimitState().Match(Header(created, "RateLimit"));
        Assert.True(state.Success, Header(created, "RateLimit"));
        Assert.Equal("writes", state.Groups["policy"].Value);
        Assert.InRange(int.Parse(state.Groups["r"].Value), 0, 49);

        var code = (await created.Content.ReadFromJsonAsync<LinkJson>())!.Code;
        foreach (var path in new[] { $"/api/links/{code}", "/api/links", $"/api/links/{code}/stats", "/api/links/nosuchcode1" })
        {
            using var read = await client.GetAsync(path);
            Assert.Equal("\"reads\";q=500;w=30", Header(read, "RateLimit-Policy"));
            Assert.Matches(RateLimitState(), Header(read, "RateLimit"));
        }

        // A redirect is no API call: it carries none.
        using var redirect = await app.ClientWith(null).GetAsync($"/{code}");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.False(redirect.Headers.Contains("RateLimit"));
    }

    [Fact]
    public async Task Over_the_quota_the_api_answers_429_with_a_retry_after_that_is_honest()
    {
        // One request's worth of quota comes back every second.
        var app = apps.Start(settings: [("RateLimits:Writes:Quota", "3"), ("RateLimits:Writes:WindowSeconds", "3")]);
        var client = app.Client();
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await client.PostAsJsonAsync("/api/links", new { url = $"https://example.com/q{i}" });
            Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync("/api/links", new { url = "https://example.com/over" });
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, "urn:urlshortener:problem:rate-limited");
        var retryAfter = refused.Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("no Retry-After");
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal("\"writes\";q=3;w=3", Header(refused, "RateLimit-Policy"));
        Assert.StartsWith("\"writes\";r=0;t=", Header(refused, "RateLimit"), StringComparison.Ordinal);

        // Reads are a quota of their own.
        using (var read = await client.GetAsync("/api/links"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        await Task.Delay(retryAfter);
        using var afterWaiting = await client.PostAsJsonAsync("/api/links", new { url = "https://example.com/after-waiting" });
        Assert.Equal(HttpStatusCode.Created, afterWaiting.StatusCode);
        // The refused create stored nothing.
        var links = await client.GetFromJsonAsync<LinkListJson>("/api/links");
        Assert.Equal(4, links!.Items.Length);
        Assert.DoesNotContain(links.Items, l => l.Url == "https://example.com/over");
    }

    [Fact]
    public async Task A_key_with_limits_of_its_own_is_held_to_them_and_other_keys_to_the_defaults()
    {
        var app = apps.Start(settings: [("RateLimits:Writes:Quota", "20"), ("Auth:ApiKeys:1:Limits:Writes:Quota", "2")]);
        var ownerB = app.ClientWith(Keys.OwnerB);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await ownerB.PostAsJsonAsync("/api/links", new { url = $"https://example.com/b{i}" });
            statuses.Add(response.StatusCode);
            Assert.Equal("\"writes\";q=2;w=60", Header(response, "RateLimit-Policy"));
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        using var ownerA = await app.Client().PostAsJsonAsync("/api/links", new { url = "https://example.com/a" });
        Assert.Equal(HttpStatusCode.Created, ownerA.StatusCode);
        Assert.Equal("\"writes\";q=20;w=60", Header(ownerA, "RateLimit-Policy"));
    }

    private protected static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : throw new InvalidOperationException($"no {name} header on a {(int)response.StatusCode}");

    [GeneratedRegex("^\"(?<policy>[a-z]+)\";r=(?<r>[0-9]+);t=(?<t>[0-9]+)$")]
    private protected static partial Regex RateLimitState();
}

public sealed class ApiRateLimitInProcessTests(InProcessAppStarter apps) : ApiRateLimitTests<InProcessAppStarter>(apps)
{
    [Fact]
    public async Task Two_instances_sharing_one_redis_enforce_one_limit_not_two()
    {
        var redis = await RedisServer.Shared;
        var prefix = "limits-" + Guid.NewGuid().ToString("N")[..8] + ":";
        // A Redis slower than its timeout is left for per-instance limits: on a loaded test machine, give it time.
        (string, string?)[] settings =
        [
            ("Redis:ConnectionString", redis.ConnectionString), ("Redis:KeyPrefix", prefix), ("Redis:OperationTimeoutMilliseconds", "3000"),
            ("RateLimits:Writes:Quota", "20"), ("RateLimits:Writes:WindowSeconds", "60"),
        ];
        var first = Apps.Start(settings: settings);
        var second = Apps.Start(settings: settings);
        await WaitUntilSharedAsync(first);
        await WaitUntilSharedAsync(second);

        var clients = new[] { first.Client(), second.Client() };
        var watch = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 80).Select(async i =>
        {
            using var response = await clients[i % 2].PostAsJsonAsync("/api/links", new { url = $"https://example.com/shared/{i}" });
            return response.StatusCode;
        }));
        var elapsed = watch.Elapsed;

        // 20 at once, and one more for each 3 s (60 s / 20) the burst took.
        var created = answers.Count(s => s == HttpStatusCode.Created);
        Assert.InRange(created, 20, 20 + 1 + (int)(elapsed.TotalSeconds / 3));
        Assert.Equal(80 - created, answers.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.All(new[] { first, second }, app => Assert.True(((ShortenerApp)app).Service<UrlShortener.Web.Limits.SharedRateLimitCounter>().IsShared));
    }

    [Fact]
    public async Task With_redis_stopped_the_api_keeps_answering_under_a_limit_per_instance()
    {
        await using var redis = await RedisServer.StartAsync();
        var app = (ShortenerApp)Apps.Start(settings: [("Redis:ConnectionString", redis.ConnectionString), ("RateLimits:Writes:Quota", "5"), ("RateLimits:FallbackSeconds", "60")]);
        await WaitUntilSharedAsync(app);
        var client = app.Client();
        using (var before = await client.PostAsJsonAsync("/api/links", new { url = "https://example.com/before" }))
        {
            Assert.Equal(HttpStatusCode.Created, before.StatusCode);
        }

        await redis.StopAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/links", new { url = $"https://example.com/during/{i}" });
            statuses.Add(response.StatusCode);
            Assert.Matches(RateLimitState(), Header(response, "RateLimit"));
        }

        // The instance counts on its own from a full quota: five more, then 429; never a 503.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Created, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)), statuses);
        Assert.False(app.Service<UrlShortener.Web.Limits.SharedRateLimitCounter>().IsShared);
        using var read = await client.GetAsync("/api/links");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Without_redis_each_instance_counts_its_own_limit()
    {
        var shared = Directory.CreateTempSubdirectory("urlshortener-limits-").FullName;
        try
        {
            var first = Apps.Start(sharedDataDirectory: shared, settings: [("RateLimits:Writes:Quota", "2")]);
            var second = Apps.Start(sharedDataDirectory: shared, settings: [("RateLimits:Writes:Quota", "2")]);
            var created = 0;
            foreach (var app in new[] { first, second, first, second, first, second })
            {
                using var response = await app.Client().PostAsJsonAsync("/api/links", new { url = "https://example.com/per-instance" });
                created += response.StatusCode == HttpStatusCode.Created ? 1 : 0;
            }

            Assert.Equal(4, created);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(shared, recursive: true);
        }
    }

    // Redis connects in the background: until then the instance limits on its own.
    private static async Task WaitUntilSharedAsync(IAppUnderTest app)
    {
        var redis = ((ShortenerApp)app).Service<UrlShortener.Caching.Redis.RedisConnection>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!redis.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(redis.IsConnected, "Redis did not connect");
    }
}

public sealed class ApiRateLimitOnFunctionsWorkerTests(WorkerAppStarter apps) : ApiRateLimitTests<WorkerAppStarter>(apps);
