using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Keys;
using UrlShortener.Storage.Sqlite;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Storage.Sqlite;

public sealed class SqliteConcurrencyTests
{
    [Fact]
    public async Task Ten_thousand_links_created_concurrently_get_ten_thousand_distinct_codes()
    {
        using var app = new ShortenerApp { Settings = new Dictionary<string, string?> { ["Shortener:KeyRangeSize"] = "100" } };
        var client = app.Client();
        var codes = new ConcurrentBag<string>();

        // 64 in flight at a time: as concurrent as the writer can use, and no request queues behind
        // ten thousand others until its client times out (which all at once did on a busy machine).
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            using var response = await client.PostAsJsonAsync("/api/links", new { url = $"https://example.com/{i}" }, ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            codes.Add((await response.Content.ReadFromJsonAsync<LinkJson>(ct))!.Code);
        });

        Assert.Equal(10_000, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.Matches("^[0-9A-Za-z]{7}$", code));
    }

    [Fact]
    public async Task Two_counters_on_one_database_file_hand_out_disjoint_ranges()
    {
        using var directory = new TempDirectory("keys");

        using var first = await OpenAsync(directory.Path);
        using var second = await OpenAsync(directory.Path);
        var sources = new[] { new SqliteKeyRangeSource(first), new SqliteKeyRangeSource(second) };
        var ranges = new ConcurrentBag<KeyRange>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => ranges.Add(await sources[i % 2].AcquireAsync(25, ct)));

        var sorted = ranges.OrderBy(r => r.Start).ToList();
        Assert.Equal(0UL, sorted[0].Start);
        for (var i = 1; i < sorted.Count; i++)
        {
            Assert.Equal(sorted[i - 1].End, sorted[i].Start);
        }
    }

    [Fact]
    public async Task Links_survive_a_restart()
    {
        using var directory = new TempDirectory("restart");

        LinkJson created;
        await using (var before = new ShortenerApp { SharedDataDirectory = directory.Path })
        {
            created = await before.Client().CreateLinkAsync(new { url = "https://example.com/durable", alias = "durable", tags = new[] { "t" } });
        }

        await using var after = new ShortenerApp { SharedDataDirectory = directory.Path };
        using var redirect = await after.ClientWith(null).GetAsync("/durable");
        var read = await after.Client().GetFromJsonAsync<LinkJson>("/api/links/durable");
        var next = await after.Client().CreateLinkAsync(new { url = "https://example.com/next" });

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("https://example.com/durable", redirect.Headers.Location!.OriginalString);
        Assert.Equivalent(created, read, strict: true);
        Assert.NotEqual(created.Code, next.Code);
    }

    [Fact]
    public async Task Grouped_writes_commit_together_and_one_that_fails_undoes_only_itself()
    {
        using var directory = new TempDirectory("grouped");
        using var database = await OpenAsync(directory.Path);
        await database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE grouped (n INTEGER PRIMARY KEY);";
            return await command.ExecuteNonQueryAsync(ct);
        }, CancellationToken.None);

        // 200 writers at once, every tenth inserting a number another writer also inserts.
        var writes = Enumerable.Range(0, 200).Select(i => Task.Run(() => database.WriteGroupedAsync((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO grouped (n) VALUES ($n);";
            command.Parameters.AddWithValue("$n", i % 10 == 0 ? 1000 : i);
            return command.ExecuteNonQuery();
        }))).ToList();
        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                return await w;
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                return -1;
            }
        }));

        Assert.Equal(181, outcomes.Count(o => o == 1));
        Assert.Equal(19, outcomes.Count(o => o == -1));
        var rows = database.ReadPrepared("SELECT COUNT(*) FROM grouped WHERE n >= $min;", "$min", 0, row => row!.GetInt64(0));
        Assert.Equal(181, rows);
    }

    private static async Task<SqliteDatabase> OpenAsync(string directory)
    {
        var database = new SqliteDatabase(
            Options.Create(new EmbeddedOptions { DatabasePath = Path.Combine(directory, "keys.db") }),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = directory, EnvironmentName = Environments.Production });
        await database.InitializeAsync(CancellationToken.None);
        return database;
    }
}
