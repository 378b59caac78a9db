using System.Net;
using System.Net.Http.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary><c>GET /api/links?q=&amp;tag=</c> and titles, through either host and on either store.</summary>
public abstract class SearchLinksTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _ownerA = app.Client();
    private readonly HttpClient _ownerB = app.ClientWith(Keys.OwnerB);

    [Fact]
    public async Task A_title_is_kept_trimmed_changed_and_cleared()
    {
        var link = await _ownerA.CreateLinkAsync(new { url = "https://example.com/titled", title = "  Spring sale  " });
        Assert.Equal("Spring sale", link.Title);

        using var changed = await _ownerA.PatchAsJsonAsync($"/api/links/{link.Code}", new { title = "Summer sale" });
        Assert.Equal("Summer sale", (await changed.Content.ReadFromJsonAsync<LinkJson>())!.Title);
        using var cleared = await _ownerA.PatchAsJsonAsync($"/api/links/{link.Code}", new { title = (string?)null });
        Assert.Null((await cleared.Content.ReadFromJsonAsync<LinkJson>())!.Title);

        using var tooLong = await _ownerA.PostAsJsonAsync("/api/links", new { url = "https://example.com/t", title = new string('t', 201) });
        await ProblemAssert.NamesFieldAsync(tooLong, "title");
        using var control = await _ownerA.PostAsJsonAsync("/api/links", new { url = "https://example.com/t", title = "a\u0007b" });
        await ProblemAssert.NamesFieldAsync(control, "title");
    }

    [Fact]
    public async Task Q_and_tag_return_exactly_the_owners_matching_links_and_never_another_owners()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var tag = "camp-" + run;
        var inTitle = await _ownerA.CreateLinkAsync(new { url = "https://example.com/a", title = $"Launch {run.ToUpperInvariant()} deck" });
        var inUrl = await _ownerA.CreateLinkAsync(new { url = $"https://example.com/{run}/page", tags = new[] { tag } });
        var inAlias = await _ownerA.CreateLinkAsync(new { url = "https://example.com/c", alias = "x" + run, tags = new[] { tag.ToUpperInvariant() } });
        var taggedOnly = await _ownerA.CreateLinkAsync(new { url = "https://example.com/d", tags = new[] { tag, "other" } });
        await _ownerA.CreateLinkAsync(new { url = "https://example.com/unrelated", tags = new[] { tag + "-not" } });
        await _ownerB.CreateLinkAsync(new { url = $"https://example.com/{run}/b", title = run, tags = new[] { tag } });

        Assert.Equal(Codes(inTitle, inUrl, inAlias), await CodesAsync(_ownerA, $"q={run}"));
        Assert.Equal(Codes(inUrl, inAlias, taggedOnly), await CodesAsync(_ownerA, $"tag={tag}"));
        Assert.Equal(Codes(inUrl, inAlias), await CodesAsync(_ownerA, $"q={run}&tag={tag}"));
        Assert.Single(await CodesAsync(_ownerB, $"q={run}"));
        Assert.Empty(await CodesAsync(_ownerA, $"q={run}-nothing"));
    }

    [Fact]
    public async Task Paging_a_search_reaches_every_match_once_while_new_links_are_created()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var expected = new HashSet<string>();
        for (var i = 0; i < 7; i++)
        {
            expected.Add((await _ownerA.CreateLinkAsync(new { url = $"https://example.com/{run}/{i}" })).Code);
            await _ownerA.CreateLinkAsync(new { url = $"https://example.com/noise/{i}" });
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await _ownerA.GetFromJsonAsync<LinkListJson>($"/api/links?q={run}&limit=2" + (cursor is null ? string.Empty : "&cursor=" + cursor)))!;
            seen.AddRange(page.Items.Select(l => l.Code));
            cursor = page.NextCursor;
            pages++;

            // Newer links, matching or not, land before the cursor: later pages do not move.
            await _ownerA.CreateLinkAsync(new { url = $"https://example.com/{run}/late-{pages}" });
        }
        while (cursor is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(expected.Order(), seen.Order());
        Assert.Equal(4, pages);
    }

    [Theory]
    [InlineData("tag=")]
    [InlineData("tag=%20")]
    [InlineData("tag=a%07b")]
    public async Task A_tag_that_is_not_one_is_a_400(string query)
    {
        using var response = await _ownerA.GetAsync("/api/links?" + query);
        await ProblemAssert.NamesFieldAsync(response, "tag");
    }

    [Fact]
    public async Task A_query_over_200_characters_is_a_400()
    {
        using var response = await _ownerA.GetAsync("/api/links?q=" + new string('q', 201));
        await ProblemAssert.NamesFieldAsync(response, "q");
    }

    private static string[] Codes(params LinkJson[] links) => [.. links.Select(l => l.Code).Order()];

    private static async Task<string[]> CodesAsync(HttpClient client, string query)
    {
        var codes = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await client.GetFromJsonAsync<LinkListJson>($"/api/links?{query}&limit=100" + (cursor is null ? string.Empty : "&cursor=" + cursor)))!;
            codes.AddRange(page.Items.Select(l => l.Code));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return [.. codes.Order()];
    }
}

public sealed class SearchLinksOnEmbeddedTests(ShortenerApp app) : SearchLinksTests<ShortenerApp>(app);

public sealed class SearchLinksOnCosmosRedisTests(CosmosRedisApp app) : SearchLinksTests<CosmosRedisApp>(app);

public sealed class SearchLinksOnFunctionsWorkerTests(WorkerApp app) : SearchLinksTests<WorkerApp>(app);
