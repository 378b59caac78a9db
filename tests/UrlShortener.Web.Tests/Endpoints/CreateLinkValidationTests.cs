using System.Net;
using System.Net.Http.Json;
using System.Text;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary>Every bad create answers 400 (or 413, 415) as problem details, and stores nothing.</summary>
public abstract class CreateLinkValidationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _client = app.Client();

    [Theory]
    [MemberData(nameof(BadCreateBodies.All), MemberType = typeof(BadCreateBodies))]
    public async Task A_bad_create_answers_400_naming_the_field_and_stores_nothing(string body, string field)
    {
        using var response = await _client.PostAsync("/api/links", new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAssert.NamesFieldAsync(response, field);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Every_bad_field_is_named_in_one_answer()
    {
        using var response = await _client.PostAsJsonAsync("/api/links", new { url = "ftp://x", alias = "a", redirectType = 303, tags = "x" });

        foreach (var field in new[] { "url", "alias", "redirectType", "tags" })
        {
            await ProblemAssert.NamesFieldAsync(response, field);
        }
    }

    [Fact]
    public async Task A_url_over_8_kb_answers_400_naming_url()
    {
        var url = "https://example.com/" + new string('a', 8200);
        using var response = await _client.PostAsJsonAsync("/api/links", new { url });

        await ProblemAssert.NamesFieldAsync(response, "url");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_body_over_64_kb_answers_413()
    {
        var url = "https://example.com/" + new string('a', 70_000);
        using var response = await _client.PostAsJsonAsync("/api/links", new { url });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "urn:urlshortener:problem:body-too-large");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_json_answers_415()
    {
        using var response = await _client.PostAsync("/api/links", new FormUrlEncodedContent([new("url", "https://example.com")]));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "urn:urlshortener:problem:unsupported-media-type");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_empty_body_answers_400()
    {
        using var response = await _client.PostAsync("/api/links", new StringContent(string.Empty, Encoding.UTF8, "application/json"));

        await ProblemAssert.NamesFieldAsync(response, "body");
    }

    private async Task AssertNothingStoredAsync()
    {
        var list = await _client.GetFromJsonAsync<LinkListJson>("/api/links");
        Assert.Empty(list!.Items);
    }
}

public sealed class CreateLinkValidationOnEmbeddedTests(ShortenerApp app) : CreateLinkValidationTests<ShortenerApp>(app);

public sealed class CreateLinkValidationOnCosmosRedisTests(CosmosRedisApp app) : CreateLinkValidationTests<CosmosRedisApp>(app);

public sealed class CreateLinkValidationOnFunctionsWorkerTests(WorkerApp app) : CreateLinkValidationTests<WorkerApp>(app);

/// <summary>Bodies a create must refuse, with the field its answer must name.</summary>
public static class BadCreateBodies
{
    public static TheoryData<string, string> All => new()
    {
        { "{\"url\": ", "body" },
        { "not json at all", "body" },
        { "[\"https://example.com\"]", "body" },
        { "\"https://example.com\"", "body" },
        { "{}", "url" },
        { "{\"url\": null}", "url" },
        { "{\"url\": 42}", "url" },
        { "{\"url\": [\"https://example.com\"]}", "url" },
        { "{\"url\": \"/just/a/path\"}", "url" },
        { "{\"url\": \"example.com\"}", "url" },
        { "{\"url\": \"javascript:alert(1)\"}", "url" },
        { "{\"url\": \"data:text/html;base64,PGI+aGk8L2I+\"}", "url" },
        { "{\"url\": \"ftp://example.com/file\"}", "url" },
        { "{\"url\": \"https://user:pass@example.com/\"}", "url" },
        { "{\"url\": \"http://localhost/abc\"}", "url" },
        { "{\"url\": \"https://example.com\", \"alias\": \"ab\"}", "alias" },
        { "{\"url\": \"https://example.com\", \"alias\": \"has space\"}", "alias" },
        { "{\"url\": \"https://example.com\", \"alias\": \"dot.ted\"}", "alias" },
        { "{\"url\": \"https://example.com\", \"alias\": \"" + new string('a', 65) + "\"}", "alias" },
        { "{\"url\": \"https://example.com\", \"alias\": \"api\"}", "alias" },
        { "{\"url\": \"https://example.com\", \"alias\": \"healthz\"}", "alias" },
        { "{\"url\": \"https://example.com\", \"alias\": 12345}", "alias" },
        { "{\"url\": \"https://example.com\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}", "expiresAt" },
        { "{\"url\": \"https://example.com\", \"expiresAt\": \"2099-01-01T00:00:00\"}", "expiresAt" },
        { "{\"url\": \"https://example.com\", \"expiresAt\": \"tomorrow\"}", "expiresAt" },
        { "{\"url\": \"https://example.com\", \"redirectType\": 303}", "redirectType" },
        { "{\"url\": \"https://example.com\", \"redirectType\": \"301\"}", "redirectType" },
        { "{\"url\": \"https://example.com\", \"fallbackUrl\": \"not a url\"}", "fallbackUrl" },
        { "{\"url\": \"https://example.com\", \"fallbackUrl\": \"javascript:void(0)\"}", "fallbackUrl" },
        { "{\"url\": \"https://example.com\", \"maxClicks\": 0}", "maxClicks" },
        { "{\"url\": \"https://example.com\", \"maxClicks\": 1.5}", "maxClicks" },
        { "{\"url\": \"https://example.com\", \"forwardQuery\": \"yes\"}", "forwardQuery" },
        { "{\"url\": \"https://example.com\", \"tags\": \"one\"}", "tags" },
        { "{\"url\": \"https://example.com\", \"tags\": [1, 2]}", "tags" },
        { "{\"url\": \"https://example.com\", \"tags\": [\"\"]}", "tags" },
        { "{\"url\": \"https://example.com\", \"destination\": \"https://example.org\"}", "destination" },
    };
}
