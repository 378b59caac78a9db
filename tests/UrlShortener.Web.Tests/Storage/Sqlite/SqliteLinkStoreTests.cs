using Microsoft.Extensions.Hosting.Internal;
using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;
using UrlShortener.Storage.Sqlite;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Storage.Sqlite;

/// <summary>The embedded link store's own row writes (bound by position, not through Microsoft.Data.Sqlite) keep every field as given.</summary>
public sealed class SqliteLinkStoreTests : IDisposable
{
    private static readonly CodeScrambler Scrambler = new("sqlite-link-store-test-secret", 7);
    private readonly TempDirectory _directory = new("link-store");
    private readonly SqliteDatabase _database;
    private readonly SqliteLinkStore _store;

    public SqliteLinkStoreTests()
    {
        var rowKeys = new LinkRowKeys(Scrambler);
        _database = new SqliteDatabase(
            Microsoft.Extensions.Options.Options.Create(new EmbeddedOptions { DatabasePath = Path.Combine(_directory.Path, "links.db") }),
            new HostingEnvironment { ContentRootPath = _directory.Path },
            rowKeys);
        _store = new SqliteLinkStore(_database, rowKeys);
    }

    [Fact]
    public async Task Every_field_comes_back_as_it_was_stored_one_at_a_time_or_many_at_once()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var full = new ShortLink
        {
            Code = Scrambler.ToCode(7),
            Owner = "ówner-ü",
            Url = "https://example.com/ünïcode/路径?q=1&r=🙂",
            CreatedAt = now,
            UpdatedAt = now.AddSeconds(1),
            ExpiresAt = now.AddDays(3),
            MaxClicks = 42,
            RedirectType = RedirectType.PermanentRedirect,
            FallbackUrl = "https://example.com/gone",
            ForwardQuery = true,
            Tags = ["a", "b c", "ü"],
            IsCustomAlias = false,
            Disabled = true,
            Revision = 3,
            Title = "Ein Titel 🙂 " + new string('x', 150),
            Utm = new UtmTags("news", "email", "spring", null, "c"),
            PasswordHash = "AQAAAAIAAYagAAAAEhash",
        };
        var bare = new ShortLink { Code = "my-alias-" + Guid.NewGuid().ToString("N")[..6], Owner = "o", Url = "https://e.com", CreatedAt = now, UpdatedAt = now, IsCustomAlias = true, Title = string.Empty };
        var many = Enumerable.Range(100, 50).Select(i => full with { Code = Scrambler.ToCode((ulong)i), Tags = [], Utm = null, Title = null, PasswordHash = null }).ToList();

        Assert.True(await _store.TryCreateAsync(full, CancellationToken.None));
        Assert.True(await _store.TryCreateAsync(bare, CancellationToken.None));
        Assert.All(await _store.TryCreateManyAsync(many, CancellationToken.None), Assert.True);

        foreach (var link in new[] { full, bare }.Concat(many))
        {
            var stored = await _store.FindAsync(link.Code, CancellationToken.None);
            Assert.NotNull(stored);
            Assert.Equivalent(link, stored, strict: true);
            Assert.Equal(link.PasswordHash, stored.PasswordHash);
            Assert.Equal(link.Title, stored.Title);
        }
    }

    [Fact]
    public async Task A_replace_keeps_every_field_and_only_at_the_revision_it_read()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        foreach (var code in new[] { Scrambler.ToCode(9), "replace-alias-" + Guid.NewGuid().ToString("N")[..6] })
        {
            var current = new ShortLink { Code = code, Owner = "o", Url = "https://example.com/before", CreatedAt = now, UpdatedAt = now, Tags = ["x"], IsCustomAlias = code.Length != 7 };
            Assert.True(await _store.TryCreateAsync(current, CancellationToken.None));
            var updated = current with
            {
                Url = "https://example.com/after/ü",
                UpdatedAt = now.AddMinutes(1),
                ExpiresAt = now.AddDays(1),
                MaxClicks = 5,
                RedirectType = RedirectType.MovedPermanently,
                FallbackUrl = "https://example.com/fallback",
                ForwardQuery = true,
                Tags = [],
                Disabled = true,
                DeletedAt = now.AddMinutes(2),
                ExhaustedAt = now.AddMinutes(3),
                Revision = current.Revision + 1,
                Title = "after",
                Utm = new UtmTags("s", null, "c", null, null),
                PasswordHash = "hash",
            };

            Assert.True(await _store.TryReplaceAsync(current, updated, CancellationToken.None));
            Assert.False(await _store.TryReplaceAsync(current, updated with { Title = "stale" }, CancellationToken.None));

            var stored = await _store.FindAsync(code, CancellationToken.None);
            Assert.Equivalent(updated, stored, strict: true);
            Assert.Equal("hash", stored!.PasswordHash);
        }
    }

    [Fact]
    public async Task A_taken_code_is_false_for_that_link_alone_in_a_batch()
    {
        var now = DateTimeOffset.UtcNow;
        ShortLink Link(string code, bool alias = false) => new() { Code = code, Owner = "o", Url = "https://example.com/" + code, CreatedAt = now, UpdatedAt = now, IsCustomAlias = alias };
        Assert.True(await _store.TryCreateAsync(Link(Scrambler.ToCode(1)), CancellationToken.None));
        Assert.True(await _store.TryCreateAsync(Link("taken-alias", alias: true), CancellationToken.None));

        var created = await _store.TryCreateManyAsync(
            [Link(Scrambler.ToCode(0)), Link(Scrambler.ToCode(1)), Link("taken-alias", alias: true), Link("free-alias", alias: true), Link(Scrambler.ToCode(2))],
            CancellationToken.None);

        Assert.Equal([true, false, false, true, true], created);
        Assert.Equal("https://example.com/" + Scrambler.ToCode(1), (await _store.FindAsync(Scrambler.ToCode(1), CancellationToken.None))!.Url);
    }

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }
}
