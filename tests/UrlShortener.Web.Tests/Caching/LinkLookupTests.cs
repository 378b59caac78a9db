using System.Net;
using Microsoft.Extensions.DependencyInjection;
using UrlShortener.Core.Links;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Caching;

public abstract class LinkLookupTests<TApp>
    where TApp : ShortenerApp, new()
{
    [Fact]
    public async Task Two_hundred_concurrent_visits_to_a_cold_code_read_the_store_once()
    {
        var counter = new StoreReadCounter();
        using var app = new TApp { ConfigureServices = counter.Install };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/burst" });
        var visitor = app.ClientWith(null);
        counter.Reset();

        var visits = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => visitor.GetAsync($"/{link.Code}")));

        Assert.All(visits, v => Assert.Equal(HttpStatusCode.Found, v.StatusCode));
        Assert.Equal(1, counter.Reads(link.Code));
    }

    [Fact]
    public async Task An_unknown_code_is_remembered_so_repeated_misses_do_not_reach_the_store()
    {
        var counter = new StoreReadCounter();
        using var app = new TApp { ConfigureServices = counter.Install };
        var visitor = app.ClientWith(null);

        for (var i = 0; i < 50; i++)
        {
            using var response = await visitor.GetAsync("/missing1");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(1, counter.Reads("missing1"));
    }

    [Fact]
    public async Task With_the_cache_off_every_visit_reads_the_store()
    {
        var counter = new StoreReadCounter();
        using var app = new ShortenerApp
        {
            ConfigureServices = counter.Install,
            Settings = new Dictionary<string, string?> { ["Shortener:LocalCacheSeconds"] = "0" },
        };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/uncached" });
        counter.Reset();

        for (var i = 0; i < 5; i++)
        {
            (await app.ClientWith(null).GetAsync($"/{link.Code}")).Dispose();
        }

        Assert.Equal(5, counter.Reads(link.Code));
    }

    /// <summary>Wraps the real SQLite store and counts its reads per code.</summary>
    private sealed class StoreReadCounter
    {
        private readonly Dictionary<string, int> _reads = [];

        /// <summary>Puts the counter around whichever store the app registered.</summary>
        public void Install(IServiceCollection services)
        {
            var real = services.Last(d => d.ServiceType == typeof(ILinkStore));
            services.AddSingleton<ILinkStore>(sp => new CountingStore(
                (ILinkStore)(real.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, real.ImplementationType!)), this));
        }

        public int Reads(string code)
        {
            lock (_reads)
            {
                return _reads.GetValueOrDefault(code);
            }
        }

        public void Reset()
        {
            lock (_reads)
            {
                _reads.Clear();
            }
        }

        private void Count(string code)
        {
            lock (_reads)
            {
                _reads[code] = _reads.GetValueOrDefault(code) + 1;
            }
        }

        private sealed class CountingStore(ILinkStore inner, StoreReadCounter counter) : ILinkStore
        {
            public Task<bool> TryCreateAsync(ShortLink link, CancellationToken cancellationToken) => inner.TryCreateAsync(link, cancellationToken);

            public int CreateManyBatchSize => inner.CreateManyBatchSize;

            public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<ShortLink> links, CancellationToken cancellationToken) => inner.TryCreateManyAsync(links, cancellationToken);

            public async Task<ShortLink?> FindAsync(string code, CancellationToken cancellationToken)
            {
                counter.Count(code);

                // Slow enough that the whole burst arrives while the first read is under way.
                await Task.Delay(50, cancellationToken);
                return await inner.FindAsync(code, cancellationToken);
            }

            public Task<bool> TryReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken) =>
                inner.TryReplaceAsync(current, updated, cancellationToken);

            public Task<IReadOnlyList<ShortLink>> ListByOwnerAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken) =>
                inner.ListByOwnerAsync(owner, limit, after, cancellationToken);
        }
    }
}

public sealed class LinkLookupOnEmbeddedTests : LinkLookupTests<ShortenerApp>;

public sealed class LinkLookupOnCosmosRedisTests : LinkLookupTests<CosmosRedisApp>;
