using System.Net.Http.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

public abstract class ListLinksTests<TApp>
    where TApp : ShortenerApp, new()
{
    [Fact]
    public async Task The_last_page_of_many_links_of_one_day_holds_the_rest_once_and_ends_the_list()
    {
        using var app = new TApp();
        var client = app.Client();
        using (var bulk = await client.PostAsJsonAsync("/api/links/bulk", new { links = Enumerable.Range(0, 250).Select(i => new { url = $"https://example.com/many/{i}" }) }))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, bulk.StatusCode);
        }

        var sizes = new List<int>();
        var codes = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await client.GetFromJsonAsync<LinkListJson>("/api/links?limit=100" + (cursor is null ? string.Empty : "&cursor=" + cursor)))!;
            sizes.Add(page.Items.Length);
            codes.AddRange(page.Items.Select(l => l.Code));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal([100, 100, 50], sizes);
        Assert.Equal(250, codes.Distinct().Count());
    }

    [Fact]
    public async Task Pages_through_an_owners_links_newest_first_without_gaps_or_repeats()
    {
        using var app = new TApp();
        var client = app.Client();
        var created = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            created.Add((await client.CreateLinkAsync(new { url = $"https://example.com/{i}" })).Code);

            // Every third link shares its creation millisecond with the one before: the code breaks the tie.
            if (i % 3 != 0)
            {
                app.Clock.Advance(TimeSpan.FromMilliseconds(5));
            }
        }

        await client.DeleteAsync($"/api/links/{created[10]}");
        await app.ClientWith(Keys.OwnerB).CreateLinkAsync(new { url = "https://example.com/b" });

        var seen = new List<LinkJson>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await client.GetFromJsonAsync<LinkListJson>($"/api/links?limit=7{(cursor is null ? "" : $"&cursor={cursor}")}"))!;
            Assert.True(page.Items.Length <= 7);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(4, pages);
        var expected = created.Where((_, i) => i != 10).ToHashSet();
        Assert.Equal(expected.Count, seen.Count);
        Assert.True(expected.SetEquals(seen.Select(l => l.Code)));
        var ordered = seen.OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Code, StringComparer.Ordinal).ToList();
        Assert.Equal(ordered, seen);
    }

    [Fact]
    public async Task The_default_page_holds_20_links()
    {
        using var app = new TApp();
        var client = app.Client();
        for (var i = 0; i < 21; i++)
        {
            await client.CreateLinkAsync(new { url = $"https://example.com/{i}" });
        }

        var page = (await client.GetFromJsonAsync<LinkListJson>("/api/links"))!;
        Assert.Equal(20, page.Items.Length);
        Assert.NotNull(page.NextCursor);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=%%%", "cursor")]
    [InlineData("cursor=AAAA", "cursor")]
    public async Task Bad_paging_parameters_answer_400_naming_them(string query, string field)
    {
        using var app = new TApp();
        using var response = await app.Client().GetAsync($"/api/links?{query}");
        await ProblemAssert.NamesFieldAsync(response, field);
    }
}

public sealed class ListLinksOnEmbeddedTests : ListLinksTests<ShortenerApp>;

public sealed class ListLinksOnCosmosRedisTests : ListLinksTests<CosmosRedisApp>;
