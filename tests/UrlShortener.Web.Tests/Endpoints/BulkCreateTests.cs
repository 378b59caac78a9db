using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary><c>POST /api/links/bulk</c>, through either host and on either store.</summary>
public abstract class BulkCreateTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _client = app.Client();

    [Fact]
    public async Task A_thousand_items_with_three_bad_ones_give_997_links_and_3_problems_in_order_and_a_replay_creates_nothing()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var taken = "bulk-taken-" + run;
        await _client.CreateLinkAsync(new { url = "https://example.com/taken", alias = taken });
        var items = Enumerable.Range(0, 1000).Select(i => (object)new { url = $"https://example.com/bulk/{run}/{i}", tags = new[] { "bulk" } }).ToList();
        items[10] = new { url = "ftp://example.com/not-http" };
        items[500] = new { url = "https://example.com/wants-a-taken-alias", alias = taken };
        items[999] = "not an object";
        var key = Guid.NewGuid().ToString();

        using var response = await PostAsync(new { links = items }, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal(997, answer.GetProperty("created").GetInt32());
        Assert.Equal(3, answer.GetProperty("failed").GetInt32());
        var answered = answer.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(1000, answered.Count);
        for (var i = 0; i < answered.Count; i++)
        {
            var item = answered[i];
            Assert.Equal(i, item.GetProperty("index").GetInt32());
            switch (i)
            {
                case 10:
                    Assert.Equal(400, item.GetProperty("status").GetInt32());
                    Assert.Equal("urn:urlshortener:problem:invalid-request", item.GetProperty("problem").GetProperty("type").GetString());
                    Assert.True(item.GetProperty("problem").GetProperty("errors").TryGetProperty("url", out _));
                    break;
                case 500:
                    Assert.Equal(409, item.GetProperty("status").GetInt32());
                    Assert.Equal("urn:urlshortener:problem:alias-taken", item.GetProperty("problem").GetProperty("type").GetString());
                    break;
                case 999:
                    Assert.Equal(400, item.GetProperty("status").GetInt32());
                    break;
                default:
                    Assert.Equal(201, item.GetProperty("status").GetInt32());
                    Assert.Equal($"https://example.com/bulk/{run}/{i}", item.GetProperty("link").GetProperty("url").GetString());
                    Assert.Equal(JsonValueKind.Null, item.GetProperty("problem").ValueKind);
                    break;
            }
        }

        var codes = answered.Where(a => a.GetProperty("status").GetInt32() == 201).Select(a => a.GetProperty("link").GetProperty("code").GetString()!).ToList();
        Assert.Equal(997, codes.Distinct().Count());
        using (var redirect = await app.ClientWith(null).GetAsync("/" + codes[^1]))
        {
            Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
            Assert.Equal($"https://example.com/bulk/{run}/998", redirect.Headers.Location?.OriginalString);
        }

        using var replay = await PostAsync(new { links = items }, key);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(body, await replay.Content.ReadAsStringAsync());
        Assert.Equal(997, await CountLinksAsync($"https://example.com/bulk/{run}/"));
    }

    [Fact]
    public async Task Two_items_with_one_alias_make_one_link_and_one_409()
    {
        var alias = "bulk-twice-" + Guid.NewGuid().ToString("N")[..8];
        using var response = await PostAsync(new { links = new[] { new { url = "https://example.com/1", alias }, new { url = "https://example.com/2", alias } } });
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetInt32()).Order();
        Assert.Equal([201, 409], items);
    }

    [Fact]
    public async Task More_bulk_creates_at_once_than_run_together_all_get_their_links_each_code_once()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var calls = Enumerable.Range(0, 8).Select(async call =>
        {
            using var response = await PostAsync(new { links = Enumerable.Range(0, 50).Select(i => new { url = $"https://example.com/together/{run}/{call}/{i}" }) });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(50, answer.GetProperty("created").GetInt32());
            return answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("link").GetProperty("code").GetString()!).ToList();
        });

        var codes = (await Task.WhenAll(calls)).SelectMany(c => c).ToList();
        Assert.Equal(400, codes.Distinct().Count());
    }

    [Theory]
    [InlineData("{}", "links")]
    [InlineData("{\"links\": {}}", "links")]
    [InlineData("{\"links\": []}", "links")]
    [InlineData("{\"links\": [{\"url\": \"https://example.com\"}], \"extra\": 1}", "extra")]
    [InlineData("[]", "body")]
    public async Task A_call_that_is_not_a_list_of_links_is_a_400_naming_what_is_wrong(string json, string field)
    {
        using var response = await _client.PostAsync("/api/links/bulk", new StringContent(json, Encoding.UTF8, "application/json"));
        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task More_than_a_thousand_items_are_refused_whole()
    {
        using var response = await PostAsync(new { links = Enumerable.Range(0, 1001).Select(i => new { url = $"https://example.com/{i}" }) });
        await ProblemAssert.NamesFieldAsync(response, "links");
    }

    [Fact]
    public async Task A_body_over_4_mb_answers_413()
    {
        var url = "https://example.com/" + new string('a', 8000);
        using var response = await PostAsync(new { links = Enumerable.Range(0, 600).Select(_ => new { url, fallbackUrl = url }) });
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "urn:urlshortener:problem:body-too-large");
    }

    private Task<HttpResponseMessage> PostAsync(object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/links/bulk") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return _client.SendAsync(request);
    }

    private async Task<int> CountLinksAsync(string urlPrefix)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = (await _client.GetFromJsonAsync<LinkListJson>("/api/links?limit=100" + (cursor is null ? string.Empty : "&cursor=" + cursor)))!;
            count += page.Items.Count(l => l.Url.StartsWith(urlPrefix, StringComparison.Ordinal));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return count;
    }
}

public sealed class BulkCreateOnEmbeddedTests(ShortenerApp app) : BulkCreateTests<ShortenerApp>(app);

public sealed class BulkCreateOnCosmosRedisTests(CosmosRedisApp app) : BulkCreateTests<CosmosRedisApp>(app);

public sealed class BulkCreateOnFunctionsWorkerTests(WorkerApp app) : BulkCreateTests<WorkerApp>(app);
