using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Storage.Sqlite;

[CollectionDefinition(nameof(SqliteDiskFullTests), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// The embedded store on a disk that fills up and then grows again (a tmpfs of 1 MB; mounting it
/// needs root, which the project's machines and CI have). Alone, so that clearing SQLite's pools at
/// the end races no other test's connections.
/// </summary>
[Collection(nameof(SqliteDiskFullTests))]
public sealed class SqliteDiskFullTests : IDisposable
{
    private readonly TempDirectory _directory = new("disk-full");

    public SqliteDiskFullTests() => Mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", _directory.Path);

    [Fact]
    public async Task A_full_disk_answers_503_and_unready_and_once_it_grows_every_create_succeeds_with_a_fresh_code()
    {
        using var app = new ShortenerApp
        {
            SharedDataDirectory = _directory.Path,
            Settings = new Dictionary<string, string?> { ["Shortener:KeyRangeSize"] = "10", ["Clicks:Enabled"] = "false" },
        };
        var client = app.Client();
        var codes = new ConcurrentBag<string>();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var full = 0;

        // Fill the disk: 8 writers until 60 creates were refused.
        await Parallel.ForEachAsync(Enumerable.Range(0, 200_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            if (Volatile.Read(ref full) >= 60)
            {
                return;
            }

            using var response = await client.PostAsJsonAsync("/api/links", new { url = $"https://example.com/{i}/{new string('p', 200)}" }, ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                codes.Add((await response.Content.ReadFromJsonAsync<LinkJson>(ct))!.Code);
            }
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.NotNull(response.Headers.RetryAfter);
                Interlocked.Increment(ref full);
            }
        });

        Assert.True(full >= 60, "the disk never filled");

        // A bulk create is one transaction here: refused whole, and its Idempotency-Key not kept.
        var bulk = new { links = Enumerable.Range(0, 200).Select(i => new { url = $"https://example.com/bulk-on-full/{i}" }) };
        var bulkKey = Guid.NewGuid().ToString();
        using (var refused = await PostBulkAsync(client, bulk, bulkKey))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        using (var unready = await app.ClientWith(null).GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
            var check = JsonDocument.Parse(await unready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("embedded-store");
            Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        }

        Mount("-o", "remount,size=64m", _directory.Path);

        using (var ready = await app.ClientWith(null).GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using (var retried = await PostBulkAsync(client, bulk, bulkKey))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            Assert.Equal(200, JsonDocument.Parse(await retried.Content.ReadAsStringAsync()).RootElement.GetProperty("created").GetInt32());
        }

        var stored = 0;
        string? cursor = null;
        do
        {
            var page = (await client.GetFromJsonAsync<LinkListJson>("/api/links?q=bulk-on-full&limit=100" + (cursor is null ? string.Empty : "&cursor=" + cursor)))!;
            stored += page.Items.Length;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(200, stored);

        var before = codes.Count;
        await Parallel.ForEachAsync(Enumerable.Range(0, 600), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var response = await client.PostAsJsonAsync("/api/links", new { url = $"https://example.com/after/{i}" }, ct);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            codes.Add((await response.Content.ReadFromJsonAsync<LinkJson>(ct))!.Code);
        });

        Assert.Equal(before + 600, codes.Count);
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_key_range_whose_counter_did_not_commit_is_never_handed_out()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new UrlShortener.Storage.Sqlite.EmbeddedOptions { DatabasePath = Path.Combine(_directory.Path, "keys.db") });
        using var database = new UrlShortener.Storage.Sqlite.SqliteDatabase(
            options, new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _directory.Path });
        await database.InitializeAsync(CancellationToken.None);
        var source = new UrlShortener.Storage.Sqlite.SqliteKeyRangeSource(database);
        var ranges = new List<UrlShortener.Core.Keys.KeyRange> { await source.AcquireAsync(10, CancellationToken.None) };

        // Fill the disk to the last page.
        await database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE filler (bytes BLOB NOT NULL);";
            await command.ExecuteNonQueryAsync(ct);
            return 0;
        }, CancellationToken.None);
        foreach (var size in new[] { 65536, 4096, 512 })
        {
            while (true)
            {
                try
                {
                    await database.WriteAsync(async (connection, ct) =>
                    {
                        await using var command = connection.CreateCommand();
                        command.CommandText = $"INSERT INTO filler (bytes) VALUES (zeroblob({size}));";
                        return await command.ExecuteNonQueryAsync(ct);
                    }, CancellationToken.None);
                }
                catch (Microsoft.Data.Sqlite.SqliteException)
                {
                    break;
                }
            }
        }

        // The WAL may still have room its earlier frames freed: what it takes is handed out (and checked below), then the disk refuses.
        var refused = 0;
        for (var attempt = 0; attempt < 100 && refused < 20; attempt++)
        {
            try
            {
                ranges.Add(await source.AcquireAsync(10, CancellationToken.None));
            }
            catch (UrlShortener.Core.StoreUnavailableException exception)
            {
                // The adapter says which store failed, and keeps SQLite's own error for the log.
                Assert.Equal("sqlite", exception.Store);
                var sqlite = Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(exception.InnerException);
                Assert.True(sqlite.SqliteErrorCode == SQLitePCL.raw.SQLITE_FULL, sqlite.ToString());
                refused++;
            }
        }

        Mount("-o", "remount,size=64m", _directory.Path);
        for (var i = 0; i < 20; i++)
        {
            ranges.Add(await source.AcquireAsync(10, CancellationToken.None));
        }

        var sorted = ranges.OrderBy(r => r.Start).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            Assert.True(sorted[i - 1].End <= sorted[i].Start, $"ranges [{sorted[i - 1].Start}, {sorted[i - 1].End}) and [{sorted[i].Start}, {sorted[i].End}) overlap");
        }

        Assert.Equal(20, refused);
    }

    private static Task<HttpResponseMessage> PostBulkAsync(HttpClient client, object body, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/links/bulk") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Run("umount", "--lazy", _directory.Path);
        _directory.Dispose();
    }

    private static void Mount(params string[] arguments) => Run("mount", arguments);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {process.StandardError.ReadToEnd()} (this test needs root)");
        }
    }
}
