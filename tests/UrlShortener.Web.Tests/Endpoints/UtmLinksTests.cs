using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary>UTM tags on links, merged into the destination at redirect time, through either host.</summary>
public abstract class UtmLinksTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _client = app.Client();

    [Fact]
    public async Task The_destination_carries_the_links_utm_tags_over_the_visitors_and_the_destinations_own()
    {
        var link = await CreateAsync(new
        {
            url = "https://example.com/shop?utm_medium=own&id=7",
            forwardQuery = true,
            utm = new { source = "newsletter", medium = "email", campaign = "spring sale" },
        });
        Assert.Equal("newsletter", link.GetProperty("utm").GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, link.GetProperty("utm").GetProperty("term").ValueKind);
        var code = link.GetProperty("code").GetString();

        using (var plain = await app.ClientWith(null).GetAsync($"/{code}"))
        {
            Assert.Equal(HttpStatusCode.Found, plain.StatusCode);
            Assert.Equal("https://example.com/shop?id=7&utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale", plain.Headers.Location?.OriginalString);
        }

        using var withQuery = await app.ClientWith(null).GetAsync($"/{code}?utm_source=twitter&utm_content=banner&ref=9");
        Assert.Equal("https://example.com/shop?id=7&utm_content=banner&ref=9&utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale", withQuery.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_patch_merges_the_tags_field_by_field_and_null_clears_one_or_all()
    {
        var code = (await CreateAsync(new { url = "https://example.com/p", utm = new { source = "a", campaign = "b" } })).GetProperty("code").GetString();

        var changed = await PatchAsync(code!, new { utm = new { campaign = "c", source = (string?)null, term = "t" } });
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("utm").GetProperty("source").ValueKind);
        Assert.Equal("c", changed.GetProperty("utm").GetProperty("campaign").GetString());
        Assert.Equal("t", changed.GetProperty("utm").GetProperty("term").GetString());
        using (var redirect = await app.ClientWith(null).GetAsync($"/{code}"))
        {
            Assert.Equal("https://example.com/p?utm_campaign=c&utm_term=t", redirect.Headers.Location?.OriginalString);
        }

        var cleared = await PatchAsync(code!, new { utm = (object?)null });
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("utm").ValueKind);
    }

    [Theory]
    [InlineData("{\"url\":\"https://example.com\",\"utm\":\"source=x\"}", "utm")]
    [InlineData("{\"url\":\"https://example.com\",\"utm\":{\"gclid\":\"x\"}}", "utm.gclid")]
    [InlineData("{\"url\":\"https://example.com\",\"utm\":{\"source\":7}}", "utm.source")]
    [InlineData("{\"url\":\"https://example.com\",\"utm\":{\"campaign\":\"a\\u0007b\"}}", "utm.campaign")]
    public async Task Utm_tags_that_are_not_tags_are_a_400_naming_the_field(string body, string field)
    {
        using var response = await _client.PostAsync("/api/links", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ProblemAssert.NamesFieldAsync(response, field);
    }

    private async Task<JsonElement> CreateAsync(object body)
    {
        using var response = await _client.PostAsJsonAsync("/api/links", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> PatchAsync(string code, object body)
    {
        using var response = await _client.PatchAsJsonAsync($"/api/links/{code}", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

public sealed class UtmLinksOnEmbeddedTests(ShortenerApp app) : UtmLinksTests<ShortenerApp>(app);

public sealed class UtmLinksOnCosmosRedisTests(CosmosRedisApp app) : UtmLinksTests<CosmosRedisApp>(app);

public sealed class UtmLinksOnFunctionsWorkerTests(WorkerApp app) : UtmLinksTests<WorkerApp>(app);
