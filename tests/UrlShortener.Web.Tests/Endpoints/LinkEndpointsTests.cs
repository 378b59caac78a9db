using System.Net;
using System.Net.Http.Json;
using System.Text;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

public abstract class LinkEndpointsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private protected readonly HttpClient _client = app.Client();

    [Fact]
    public async Task Create_answers_201_with_the_link_and_its_location()
    {
        using var response = await _client.PostAsJsonAsync("/api/links", new
        {
            url = "https://example.com/launch?ref=1",
            tags = new[] { "launch", "Launch", " q4 " },
            forwardQuery = true,
            maxClicks = 100,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var link = (await response.Content.ReadFromJsonAsync<LinkJson>())!;
        Assert.Equal($"/api/links/{link.Code}", response.Headers.Location!.OriginalString);
        Assert.Matches("^[0-9A-Za-z]{7}$", link.Code);
        Assert.Equal($"http://localhost/{link.Code}", link.ShortUrl);
        Assert.Equal("https://example.com/launch?ref=1", link.Url);
        Assert.Equal(302, link.RedirectType);
        Assert.True(link.ForwardQuery);
        Assert.Equal(100, link.MaxClicks);
        Assert.Equal(["launch", "q4"], link.Tags);
        Assert.Null(link.ExpiresAt);
        Assert.False(link.Disabled);
        Assert.Equal(link.CreatedAt, link.UpdatedAt);
    }

    [Fact]
    public async Task Read_answers_the_link_as_created()
    {
        var created = await _client.CreateLinkAsync(new { url = "https://example.com/read", expiresAt = DateTimeOffset.UtcNow.AddDays(3) });

        var read = await _client.GetFromJsonAsync<LinkJson>($"/api/links/{created.Code}");

        Assert.Equivalent(created, read, strict: true);
    }

    [Fact]
    public async Task A_custom_alias_becomes_the_code_and_a_taken_alias_answers_409()
    {
        var alias = "launch-" + Guid.NewGuid().ToString("N")[..8];
        var created = await _client.CreateLinkAsync(new { url = "https://example.com/a", alias });
        Assert.Equal(alias, created.Code);

        using var again = await _client.PostAsJsonAsync("/api/links", new { url = "https://example.com/b", alias });
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Conflict, "urn:urlshortener:problem:alias-taken");

        // Another owner cannot take it either: the code space is shared.
        using var other = await app.ClientWith(Keys.OwnerB).PostAsJsonAsync("/api/links", new { url = "https://example.com/c", alias });
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);

        // Aliases are case-sensitive.
        var upper = await _client.CreateLinkAsync(new { url = "https://example.com/d", alias = alias.ToUpperInvariant() });
        Assert.Equal(alias.ToUpperInvariant(), upper.Code);
    }

    [Fact]
    public async Task Unknown_code_answers_404()
    {
        using var response = await _client.GetAsync("/api/links/nothere");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "urn:urlshortener:problem:link-not-found");
    }

    [Fact]
    public async Task Patch_with_null_clears_the_expiry_and_the_fallback()
    {
        var created = await _client.CreateLinkAsync(new
        {
            url = "https://example.com/x",
            expiresAt = DateTimeOffset.UtcNow.AddDays(1),
            fallbackUrl = "https://example.com/fallback",
        });

        using var response = await _client.PatchAsJsonAsync($"/api/links/{created.Code}", new { expiresAt = (string?)null, fallbackUrl = (string?)null });

        var updated = (await response.Content.ReadFromJsonAsync<LinkJson>())!;
        Assert.Null(updated.ExpiresAt);
        Assert.Null(updated.FallbackUrl);
    }

    [Theory]
    [InlineData("{\"url\": \"javascript:alert(1)\"}", "url")]
    [InlineData("{\"url\": null}", "url")]
    [InlineData("{\"redirectType\": 303}", "redirectType")]
    [InlineData("{\"expiresAt\": \"2001-01-01T00:00:00Z\"}", "expiresAt")]
    [InlineData("{\"disabled\": \"yes\"}", "disabled")]
    [InlineData("{\"code\": \"other\"}", "code")]
    [InlineData("{\"alias\": \"other\"}", "alias")]
    [InlineData("{\"fallbackUrl\": \"ftp://x\"}", "fallbackUrl")]
    [InlineData("[1]", "body")]
    public async Task A_bad_patch_answers_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var created = await _client.CreateLinkAsync(new { url = "https://example.com/unchanged" });

        using var response = await _client.PatchAsync($"/api/links/{created.Code}", new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAssert.NamesFieldAsync(response, field);
        Assert.Equivalent(created, await _client.GetFromJsonAsync<LinkJson>($"/api/links/{created.Code}"), strict: true);
    }

    [Fact]
    public async Task Patch_accepts_merge_patch_json()
    {
        var created = await _client.CreateLinkAsync(new { url = "https://example.com/m" });

        using var response = await _client.PatchAsync(
            $"/api/links/{created.Code}",
            new StringContent("{\"disabled\": true}", Encoding.UTF8, "application/merge-patch+json"));

        Assert.True((await response.Content.ReadFromJsonAsync<LinkJson>())!.Disabled);
    }

    [Fact]
    public async Task Delete_answers_204_then_the_link_is_gone_from_the_api_and_its_alias_stays_taken()
    {
        var alias = "gone-" + Guid.NewGuid().ToString("N")[..8];
        await _client.CreateLinkAsync(new { url = "https://example.com/bye", alias });

        using var deleted = await _client.DeleteAsync($"/api/links/{alias}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using var read = await _client.GetAsync($"/api/links/{alias}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        using var again = await _client.DeleteAsync($"/api/links/{alias}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var patch = await _client.PatchAsJsonAsync($"/api/links/{alias}", new { disabled = false });
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        using var reuse = await _client.PostAsJsonAsync("/api/links", new { url = "https://example.com/hijack", alias });
        Assert.Equal(HttpStatusCode.Conflict, reuse.StatusCode);
    }

    [Fact]
    public async Task Concurrent_patches_of_one_link_all_apply_and_the_last_one_stands()
    {
        var created = await _client.CreateLinkAsync(new { url = "https://example.com/raced" });

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            using var response = await _client.PatchAsJsonAsync($"/api/links/{created.Code}", new { tags = new[] { $"t{i}" } });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, answer => Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode}: {answer.Body}"));
        var final = (await _client.GetFromJsonAsync<LinkJson>($"/api/links/{created.Code}"))!;
        Assert.Single(final.Tags);
        Assert.Contains(final.Tags[0], Enumerable.Range(0, 32).Select(i => $"t{i}"));
    }

}


/// <summary>What needs the app in this process: its clock, a second instance on its store, its settings.</summary>
public abstract class LinkEndpointsInProcessTests<TApp>(TApp app) : LinkEndpointsTests<TApp>(app)
    where TApp : ShortenerApp, new()
{
    private readonly TApp _app = app;

    [Fact]
    public async Task Patch_changes_only_the_fields_it_names()
    {
        var created = await _client.CreateLinkAsync(new { url = "https://example.com/old", tags = new[] { "keep" }, maxClicks = 5 });
        _app.Clock.Advance(TimeSpan.FromSeconds(1));

        using var response = await _client.PatchAsJsonAsync($"/api/links/{created.Code}", new
        {
            url = "https://example.com/new",
            redirectType = 301,
            expiresAt = DateTimeOffset.UtcNow.AddDays(30),
            maxClicks = (long?)null,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = (await response.Content.ReadFromJsonAsync<LinkJson>())!;
        Assert.Equal("https://example.com/new", updated.Url);
        Assert.Equal(301, updated.RedirectType);
        Assert.NotNull(updated.ExpiresAt);
        Assert.Null(updated.MaxClicks);
        Assert.Equal(["keep"], updated.Tags);
        Assert.Equal(created.CreatedAt, updated.CreatedAt);
        Assert.True(updated.UpdatedAt > created.UpdatedAt);
        Assert.Equivalent(updated, await _client.GetFromJsonAsync<LinkJson>($"/api/links/{created.Code}"), strict: true);
    }

    [Fact]
    public async Task Concurrent_patches_and_deletes_from_two_instances_answer_200_204_404_or_409_with_retry_after()
    {
        using var second = SecondInstance();
        var other = second.Client();
        var codes = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((await _client.CreateLinkAsync(new { url = $"https://example.com/two-{i}" })).Code);
        }

        var answers = await Task.WhenAll(codes.SelectMany(code => Enumerable.Range(0, 16).Select(async i =>
        {
            var client = i % 2 == 0 ? _client : other;
            using var response = i == 15
                ? await client.DeleteAsync($"/api/links/{code}")
                : await client.PatchAsJsonAsync($"/api/links/{code}", new { tags = new[] { $"t{i}" } });
            return (response.StatusCode, response.Headers.RetryAfter, Body: await response.Content.ReadAsStringAsync());
        })));

        foreach (var (status, retryAfter, body) in answers)
        {
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NoContent or HttpStatusCode.NotFound or HttpStatusCode.Conflict, $"{(int)status}: {body}");
            if (status == HttpStatusCode.Conflict)
            {
                Assert.Contains("urn:urlshortener:problem:concurrent-change", body, StringComparison.Ordinal);
                Assert.NotNull(retryAfter);
            }
        }

        Assert.Equal(codes.Count, answers.Count(a => a.StatusCode == HttpStatusCode.NoContent));
    }

    /// <summary>Another instance of the same deployment: the same store, its own process state.</summary>
    private TApp SecondInstance() => new()
    {
        SharedDataDirectory = _app.DataDirectory,
        CosmosDatabaseName = _app.CosmosDatabaseName,
    };

    [Fact]
    public async Task The_short_url_uses_the_configured_base_url()
    {
        using var configured = new TApp { Settings = new Dictionary<string, string?> { ["Shortener:BaseUrl"] = "https://sho.rt/" } };
        var client = configured.Client();

        var link = await client.CreateLinkAsync(new { url = "https://example.com/" });
        Assert.Equal($"https://sho.rt/{link.Code}", link.ShortUrl);

        using var loop = await client.PostAsJsonAsync("/api/links", new { url = "https://sho.rt/abc" });
        await ProblemAssert.NamesFieldAsync(loop, "url");
    }
}

public sealed class LinkEndpointsOnEmbeddedTests(ShortenerApp app) : LinkEndpointsInProcessTests<ShortenerApp>(app);

public sealed class LinkEndpointsOnCosmosRedisTests(CosmosRedisApp app) : LinkEndpointsInProcessTests<CosmosRedisApp>(app);

public sealed class LinkEndpointsOnFunctionsWorkerTests(WorkerApp app) : LinkEndpointsTests<WorkerApp>(app);

