using System.Net;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Caching;

/// <summary>Redis is an accelerator: losing it costs store reads, never a failed redirect.</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task Redirects_and_creates_keep_working_while_redis_is_down_and_the_cache_is_used_again_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        using var app = WithoutLocalCache(redis, ("Redis:BreakSeconds", "1"));
        var api = app.Client();
        var visitor = app.ClientWith(null);
        var codes = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            codes.Add((await api.CreateLinkAsync(new { url = $"https://example.com/{i}" })).Code);
        }

        var failures = 0;
        var redirects = 0;
        using var stopLoad = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            for (var i = worker; !stopLoad.IsCancellationRequested; i++)
            {
                using var response = await visitor.GetAsync($"/{codes[i % codes.Count]}");
                Interlocked.Increment(ref redirects);
                if (response.StatusCode != HttpStatusCode.Found)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));

        await Task.Delay(500);
        await redis.StopAsync();
        await Task.Delay(1500);
        var createdDuringOutage = await api.CreateLinkAsync(new { url = "https://example.com/during-outage" });
        using (var ready = await visitor.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"redis\":{\"status\":\"Degraded\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Task.Delay(1000);
        await redis.RestartAsync();

        // The multiplexer reconnects and the breaker lets a trial through by itself.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long hits;
        do
        {
            await Task.Delay(250);
            hits = await redis.KeyspaceHitsAsync();
        }
        while (hits == 0 && DateTime.UtcNow < deadline);

        await stopLoad.CancelAsync();
        await load;

        Assert.Equal(0, failures);
        Assert.True(redirects > 100, $"only {redirects} redirects ran");
        Assert.Matches("^[0-9A-Za-z]{7}$", createdDuringOutage.Code);
        Assert.True(hits > 0, "Redis answered no GET with a value after it came back");
    }

    [Fact]
    public async Task A_redirect_does_not_wait_for_a_redis_that_has_stopped_answering()
    {
        await using var redis = await RedisServer.StartAsync();
        using var app = WithoutLocalCache(redis, ("Redis:OperationTimeoutMilliseconds", "100"));
        var visitor = app.ClientWith(null);
        var code = (await app.Client().CreateLinkAsync(new { url = "https://example.com/while-redis-hangs" })).Code;
        using (var first = await visitor.GetAsync($"/{code}"))
        {
            Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        }

        // Redis holds the connection and answers nothing for a minute; the store answers the redirect in time.
        await redis.PauseAsync(TimeSpan.FromMinutes(1));
        var visits = Enumerable.Range(0, 3).Select(_ => visitor.GetAsync($"/{code}")).ToList();
        var all = Task.WhenAll(visits);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))));
        foreach (var visit in visits)
        {
            using var response = await visit;
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.Equal("https://example.com/while-redis-hangs", response.Headers.Location?.OriginalString);
        }
    }

    [Fact]
    public async Task After_a_busy_healthy_spell_a_paused_redis_is_skipped_after_a_few_timeouts_in_a_row()
    {
        await using var redis = await RedisServer.StartAsync();
        using var app = WithoutLocalCache(redis, ("Redis:OperationTimeoutMilliseconds", "100"), ("Redis:BreakSeconds", "30"));
        var visitor = app.ClientWith(null);
        var code = (await app.Client().CreateLinkAsync(new { url = "https://example.com/busy-then-paused" })).Code;
        var cache = app.Service<UrlShortener.Caching.Redis.RedisLinkCache>();
        await RedirectAsync(visitor, code, times: 2000);
        Assert.False(cache.IsSkipped);

        // A window of 2,000 successes: a failure ratio alone would keep asking Redis for seconds.
        await redis.PauseAsync(TimeSpan.FromSeconds(20));
        for (var i = 0; i < 10; i++)
        {
            await RedirectAsync(visitor, code, times: 1);
        }

        Assert.True(cache.IsSkipped, "Redis was still asked after ten timeouts in a row");
        await RedirectAsync(visitor, code, times: 400);
        using var ready = await visitor.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"redis\":{\"status\":\"Degraded\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // No L1: every redirect goes through Redis, so an outage is felt on each one.
    [Fact]
    public async Task An_acl_user_with_its_password_gets_the_shared_cache_and_a_wrong_password_only_degrades()
    {
        await using var redis = await RedisServer.StartWithAclUserAsync("shortener", "acl-s3cret");
        using (var app = new CosmosRedisApp
        {
            RedisConnectionString = $"{redis.ConnectionString},user=shortener,password=acl-s3cret",
            Settings = new Dictionary<string, string?> { ["Shortener:LocalCacheSeconds"] = "0", ["Redis:KeyPrefix"] = "urlshortener:" },
        })
        {
            var code = (await app.Client().CreateLinkAsync(new { url = "https://example.com/acl" })).Code;
            var visitor = app.ClientWith(null);
            await WaitForReadyAsync(visitor, "Healthy");
            await RedirectAsync(visitor, code, times: 5);

            // The link is in Redis under the user's own key space: the app signed in as that user.
            using var asUser = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},user=shortener,password=acl-s3cret");
            Assert.True(await WaitForKeyAsync(asUser.GetDatabase(), $"urlshortener:link:{code}"));
        }

        using var refused = new CosmosRedisApp
        {
            RedisConnectionString = $"{redis.ConnectionString},user=shortener,password=wrong",
            Settings = new Dictionary<string, string?> { ["Shortener:LocalCacheSeconds"] = "0", ["Redis:KeyPrefix"] = "urlshortener:" },
        };
        var other = (await refused.Client().CreateLinkAsync(new { url = "https://example.com/acl-refused" })).Code;
        await RedirectAsync(refused.ClientWith(null), other, times: 5);
        await WaitForReadyAsync(refused.ClientWith(null), "Degraded");
    }

    private static async Task WaitForReadyAsync(HttpClient visitor, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string body;
        do
        {
            using var ready = await visitor.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            body = await ready.Content.ReadAsStringAsync();
            if (body.Contains($"\"redis\":{{\"status\":\"{status}\"", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"/readyz never said Redis is {status}: {body}");
    }

    private static async Task<bool> WaitForKeyAsync(StackExchange.Redis.IDatabase database, string key)
    {
        for (var i = 0; i < 50; i++)
        {
            if (await database.KeyExistsAsync(key))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static CosmosRedisApp WithoutLocalCache(RedisServer redis, params (string Name, string Value)[] settings) => new()
    {
        RedisConnectionString = redis.ConnectionString,
        Settings = settings.Append((Name: "Shortener:LocalCacheSeconds", Value: "0")).ToDictionary(s => s.Name, s => (string?)s.Value),
    };

    private static async Task RedirectAsync(HttpClient visitor, string code, int times) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, times), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var response = await visitor.GetAsync($"/{code}", ct);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        });
}
