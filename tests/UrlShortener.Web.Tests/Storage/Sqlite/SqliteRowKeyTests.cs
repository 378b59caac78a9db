using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using UrlShortener.Core.Keys;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Storage.Sqlite;

/// <summary>
/// The embedded links table keyed by the unscrambled code: codes of the generated shape at their counter value,
/// other aliases apart, one code one link either way, and a file of the earlier layout (keyed by code) carried over
/// at start.
/// </summary>
public sealed class SqliteRowKeyTests
{
    private static readonly CodeScrambler Scrambler = new("test-code-secret-0123456789", 7);

    [Fact]
    public async Task Codes_of_the_generated_shape_sit_at_their_counter_value_and_other_aliases_at_negative_keys()
    {
        using var app = new ShortenerApp();
        var client = app.Client();
        var generated = await client.CreateLinkAsync(new { url = "https://example.com/generated" });
        var alias = await client.CreateLinkAsync(new { url = "https://example.com/alias", alias = "my-alias" });
        var shaped = await client.CreateLinkAsync(new { url = "https://example.com/alias7", alias = "Abc1234" });

        var keys = await RowKeysAsync(app.DataDirectory);
        var counter = CounterOf(generated.Code);
        Assert.Equal(counter, keys[generated.Code]);
        Assert.True(keys[alias.Code] < 0);
        Assert.Equal(CounterOf("Abc1234"), keys[shaped.Code]);

        // An alias that is the very code the counter hands out next: the generated link draws the one after.
        var next = await client.CreateLinkAsync(new { url = "https://example.com/squatter", alias = Scrambler.ToCode((ulong)counter + 1) });
        var after = await client.CreateLinkAsync(new { url = "https://example.com/after" });
        Assert.Equal(Scrambler.ToCode((ulong)counter + 2), after.Code);

        foreach (var link in new[] { generated, alias, shaped, next, after })
        {
            using var visit = await app.ClientWith(null).GetAsync("/" + link.Code);
            Assert.Equal(link.Url, visit.Headers.Location?.OriginalString);
        }

        // An alias may not take a code a generated link has, nor one another alias has.
        foreach (var taken in new[] { generated.Code, "my-alias", "Abc1234" })
        {
            using var refused = await client.PostAsJsonAsync("/api/links", new { url = "https://example.com/other", alias = taken });
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        foreach (var code in new[] { "my-alias", "Abc1234", generated.Code })
        {
            using var patched = await client.PatchAsJsonAsync("/api/links/" + code, new { title = "edited " + code });
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            Assert.Equal("edited " + code, (await client.GetFromJsonAsync<LinkJson>("/api/links/" + code))!.Title);
        }

        using var unknown = await app.ClientWith(null).GetAsync("/" + Scrambler.ToCode((ulong)counter + 500));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_store_refuses_to_start_under_another_code_secret()
    {
        using var directory = new TempDirectory("row-keys");
        using (var first = new ShortenerApp { SharedDataDirectory = directory.Path })
        {
            await first.Client().CreateLinkAsync(new { url = "https://example.com/kept" });
        }

        SqliteConnection.ClearAllPools();
        using var second = new ShortenerApp { SharedDataDirectory = directory.Path, Settings = new Dictionary<string, string?> { ["Shortener:CodeSecret"] = "another-code-secret-98765" } };
        var refusal = Assert.ThrowsAny<Exception>(() => second.Client());
        Assert.Contains("another Shortener:CodeSecret", refusal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_of_the_earlier_layout_keyed_by_code_is_carried_over_at_start()
    {
        using var directory = new TempDirectory("row-keys");
        var path = Path.Combine(directory.Path, "links.db");
        var first = Scrambler.ToCode(3);
        var second = Scrambler.ToCode(4);
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();

            // The first release's links table (no title, utm or password), and its counter past the codes below.
            command.CommandText = $"""
                PRAGMA journal_mode = WAL;
                CREATE TABLE links (
                    code TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL, expires_at INTEGER NULL, max_clicks INTEGER NULL, redirect_type INTEGER NOT NULL,
                    fallback_url TEXT NULL, forward_query INTEGER NOT NULL, tags TEXT NOT NULL, is_alias INTEGER NOT NULL,
                    disabled INTEGER NOT NULL, deleted_at INTEGER NULL, revision INTEGER NOT NULL, exhausted_at INTEGER NULL
                ) WITHOUT ROWID;
                CREATE INDEX links_by_owner ON links (owner, created_at DESC, code DESC) WHERE deleted_at IS NULL;
                CREATE TABLE key_counters (name TEXT NOT NULL PRIMARY KEY, next_value INTEGER NOT NULL);
                INSERT INTO key_counters (name, next_value) VALUES ('links', 1000);
                INSERT INTO links VALUES ('{first}', 'owner-a', 'https://example.com/first', 1000, 1000, NULL, NULL, 302, NULL, 0, '["old"]', 0, 0, NULL, 1, NULL);
                INSERT INTO links VALUES ('{second}', 'owner-a', 'https://example.com/second', 2000, 2000, NULL, NULL, 301, NULL, 0, '[]', 0, 0, 2500, 2, NULL);
                INSERT INTO links VALUES ('old-alias', 'owner-a', 'https://example.com/alias', 3000, 3000, NULL, NULL, 302, NULL, 0, '[]', 1, 0, NULL, 1, NULL);
                INSERT INTO links VALUES ('Xyz9876', 'owner-b', 'https://example.com/b', 4000, 4000, NULL, NULL, 302, NULL, 0, '[]', 1, 0, NULL, 1, NULL);
                """;
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var app = new ShortenerApp { SharedDataDirectory = directory.Path };
        var client = app.Client();

        using (var visit = await app.ClientWith(null).GetAsync("/" + first))
        {
            Assert.Equal("https://example.com/first", visit.Headers.Location?.OriginalString);
        }

        using (var gone = await app.ClientWith(null).GetAsync("/" + second))
        {
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        }

        using (var visit = await app.ClientWith(null).GetAsync("/old-alias"))
        {
            Assert.Equal("https://example.com/alias", visit.Headers.Location?.OriginalString);
        }

        var listed = await client.GetFromJsonAsync<LinkListJson>("/api/links");
        Assert.Equal(["old-alias", first], listed!.Items.Select(l => l.Code));
        Assert.Equal(["old"], listed.Items[1].Tags);
        Assert.Equal("Xyz9876", (await app.ClientWith(Keys.OwnerB).GetFromJsonAsync<LinkJson>("/api/links/Xyz9876"))!.Code);

        var keys = await RowKeysAsync(directory.Path);
        Assert.Equal(3, keys[first]);
        Assert.Equal(4, keys[second]);
        Assert.True(keys["old-alias"] < 0);
        Assert.Equal(CounterOf("Xyz9876"), keys["Xyz9876"]);

        // New links and edits go on as before, and the alias keeps its code to itself.
        using var patched = await client.PatchAsJsonAsync("/api/links/old-alias", new { title = "carried over" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var created = await client.CreateLinkAsync(new { url = "https://example.com/new" });
        Assert.Equal(1000, (await RowKeysAsync(directory.Path))[created.Code]);
        using var taken = await client.PostAsJsonAsync("/api/links", new { url = "https://example.com/other", alias = "old-alias" });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
    }

    private static long CounterOf(string code)
    {
        Assert.True(Base62.TryDecode(code, out var scrambled));
        return (long)Scrambler.Unscramble(scrambled);
    }

    private static async Task<Dictionary<string, long>> RowKeysAsync(string directory)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "links.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT code, seq FROM links;";
        var keys = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys[reader.GetString(0)] = reader.GetInt64(1);
        }

        return keys;
    }
}
