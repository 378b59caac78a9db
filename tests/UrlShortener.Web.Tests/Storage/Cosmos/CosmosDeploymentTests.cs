using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Storage.Cosmos;

/// <summary>Several instances of one deployment on one Cosmos database and one Redis, as in Azure.</summary>
public sealed class CosmosDeploymentTests
{
    [Fact]
    public async Task Two_instances_creating_ten_thousand_links_concurrently_hand_out_distinct_codes()
    {
        var small = new Dictionary<string, string?> { ["Shortener:KeyRangeSize"] = "50" };
        using var first = new CosmosRedisApp { Settings = small };
        using var second = new CosmosRedisApp { Settings = small, CosmosDatabaseName = first.CosmosDatabaseName };
        var clients = new[] { first.Client(), second.Client() };
        var codes = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
            codes.Add((await clients[i % 2].CreateLinkAsync(new { url = $"https://example.com/{i}" })).Code));

        Assert.Equal(10_000, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_link_created_on_one_instance_redirects_on_the_other_and_a_change_arrives_when_its_local_cache_entry_expires()
    {
        const int localCacheSeconds = 60;
        var settings = new Dictionary<string, string?> { ["Shortener:LocalCacheSeconds"] = localCacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        using var first = new CosmosRedisApp { Settings = settings };
        using var second = new CosmosRedisApp { Settings = settings, CosmosDatabaseName = first.CosmosDatabaseName };
        var visitor = second.ClientWith(null);

        var link = await first.Client().CreateLinkAsync(new { url = "https://example.com/v1" });
        Assert.Equal("https://example.com/v1", await ServedAsync());

        (await first.Client().PatchAsJsonAsync($"/api/links/{link.Code}", new { url = "https://example.com/v2" })).EnsureSuccessStatusCode();

        // The other instance keeps its L1 entry for its lifetime (on its clock), then reads the change.
        second.Clock.Advance(TimeSpan.FromSeconds(localCacheSeconds - 5));
        Assert.Equal("https://example.com/v1", await ServedAsync());
        second.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("https://example.com/v2", await ServedAsync());

        async Task<string> ServedAsync()
        {
            using var response = await visitor.GetAsync($"/{link.Code}");
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            return response.Headers.Location!.OriginalString;
        }
    }

    [Fact]
    public async Task With_the_store_down_cached_links_keep_redirecting_and_everything_else_answers_503()
    {
        await using var emulator = await CosmosEmulator.StartAsync();
        using var app = new CosmosRedisApp { CosmosConnectionString = emulator.ConnectionString };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/cached" });
        var visitor = app.ClientWith(null);
        (await visitor.GetAsync($"/{link.Code}")).Dispose();

        await emulator.StopAsync();

        using var cached = await visitor.GetAsync($"/{link.Code}");
        using var uncached = await visitor.GetAsync("/notcached");
        using var create = await app.Client().PostAsJsonAsync("/api/links", new { url = "https://example.com/new" });
        using var ready = await visitor.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.Found, cached.StatusCode);
        await ProblemAssert.IsProblemAsync(uncached, HttpStatusCode.ServiceUnavailable, "urn:urlshortener:problem:service-unavailable");
        await ProblemAssert.IsProblemAsync(create, HttpStatusCode.ServiceUnavailable, "urn:urlshortener:problem:service-unavailable");
        Assert.NotNull(uncached.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task A_hung_store_is_waited_on_no_longer_than_its_deadline_and_then_answers_503()
    {
        await using var emulator = await CosmosEmulator.StartAsync();
        using var app = new CosmosRedisApp
        {
            CosmosConnectionString = emulator.ConnectionString,
            Settings = new Dictionary<string, string?> { ["Shortener:StoreTimeoutSeconds"] = "2", ["Shortener:LocalCacheSeconds"] = "0" },
        };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/before-the-hang" });
        var visitor = app.ClientWith(null);

        emulator.Freeze();
        var answers = await Task.WhenAll(
            TimedAsync(() => app.Client().PostAsJsonAsync("/api/links", new { url = "https://example.com/new" })),
            TimedAsync(() => visitor.GetAsync("/neverseen")),
            TimedAsync(() => app.Client().GetAsync($"/api/links/{link.Code}/stats")),
            TimedAsync(() => app.Client().PatchAsJsonAsync($"/api/links/{link.Code}", new { disabled = true })),
            TimedAsync(() => visitor.GetAsync("/readyz")),
            TimedAsync(() => visitor.GetAsync("/healthz")));

        foreach (var (response, elapsed) in answers)
        {
            Console.WriteLine($"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} after {elapsed}");
        }

        foreach (var (response, elapsed) in answers[..4])
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "urn:urlshortener:problem:service-unavailable");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.True(elapsed < TimeSpan.FromSeconds(12), $"{response.RequestMessage!.RequestUri} took {elapsed}");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answers[4].Response.StatusCode);
        Assert.True(answers[4].Elapsed < TimeSpan.FromSeconds(12), $"/readyz took {answers[4].Elapsed}");
        Assert.Equal(HttpStatusCode.OK, answers[5].Response.StatusCode);

        emulator.Thaw();
        var thawed = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var after = await visitor.GetAsync($"/{link.Code}");
            status = after.StatusCode;
        }
        while (status != HttpStatusCode.Found && thawed.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.Found, status);

        static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> TimedAsync(Func<Task<HttpResponseMessage>> send)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var response = await send();
            return (response, started.Elapsed);
        }
    }
}
