using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Links;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Caching;

/// <summary>
/// The redirect path's read of a link: a bounded in-process cache (L1, entries live
/// <see cref="ShortenerOptions.LocalCacheSeconds"/>, unknown codes included), then the shared cache
/// (L2, Redis) when there is one, then the store. Concurrent misses on one code share a single read.
/// Changes made through this instance drop the entry from L1 and L2 at once; other instances see
/// them when their L1 entry expires.
/// </summary>
public sealed class LinkLookup : ILinkCacheInvalidator, IDisposable
{
    private readonly ILinkStore _store;
    private readonly ILinkCache? _shared;
    private readonly MemoryCache? _cache;
    private readonly MemoryCacheEntryOptions _entryOptions;
    private readonly ConcurrentDictionary<string, Task<ShortLink?>> _inFlight = new(StringComparer.Ordinal);

    // Bumped by every invalidation: a read that started before one must not cache what it read.
    private long _invalidations;

    private static readonly KeyValuePair<string, object?> Local = new("level", "l1");
    private static readonly KeyValuePair<string, object?> Shared = new("level", "redis");
    private static readonly KeyValuePair<string, object?> Store = new("level", "store");
    private readonly Counter<long>? _hits;
    private readonly Counter<long>? _misses;

    public LinkLookup(ILinkStore store, IOptions<ShortenerOptions> options, TimeProvider clock, ILinkCache? shared = null, IMeterFactory? meters = null)
    {
        _store = store;
        _shared = shared;
        var meter = meters?.Create(Clicks.ClickMetrics.MeterName);
        _hits = meter?.CreateCounter<long>("urlshortener.cache.hits", "{lookup}", "Link lookups answered, by level: l1 (in process), redis, store (the link exists).");
        _misses = meter?.CreateCounter<long>("urlshortener.cache.misses", "{lookup}", "Link lookups a level could not answer: l1 and redis ask the next one; store means the code is unknown.");
        var settings = options.Value;
        if (settings.LocalCacheSeconds > 0)
        {
            _cache = new MemoryCache(new MemoryCacheOptions
            {
                SizeLimit = settings.LocalCacheCapacity,

                // Entries expire on the app's clock. The system clock is the cache's own default (no adapter on the hot path).
                Clock = clock == TimeProvider.System ? null : new CacheClock(clock),
            });
        }

        _entryOptions = new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(Math.Max(settings.LocalCacheSeconds, 0.001)),
        };
    }

    public ValueTask<ShortLink?> FindAsync(string code, CancellationToken cancellationToken)
    {
        if (_cache is not null)
        {
            if (_cache.TryGetValue(code, out var cached))
            {
                _hits?.Add(1, Local);
                return ValueTask.FromResult((ShortLink?)cached);
            }

            // Only an L1 that is on can miss.
            _misses?.Add(1, Local);
        }

        var read = new TaskCompletionSource<ShortLink?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(code, read.Task);

        // The caller that starts the read awaits it directly (no hop to a pool thread); the store's and Redis's
        // own limits bound it. Callers that join a read in flight stop waiting when their request ends.
        return shared == read.Task
            ? new ValueTask<ShortLink?>(ReadAndCacheAsync(code, read))
            : new ValueTask<ShortLink?>(shared.WaitAsync(cancellationToken));
    }

    public async ValueTask InvalidateAsync(string code, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _invalidations);
        _inFlight.TryRemove(code, out _);
        _cache?.Remove(code);
        if (_shared is not null)
        {
            await _shared.RemoveAsync(code).ConfigureAwait(false);
        }
    }

    public void Dispose() => _cache?.Dispose();

    private sealed class CacheClock(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }

    /// <summary>Reads <paramref name="code"/> through L2 and the store, and hands the result to the callers that joined.</summary>
    private async Task<ShortLink?> ReadAndCacheAsync(string code, TaskCompletionSource<ShortLink?> read)
    {
        var invalidationsBefore = Interlocked.Read(ref _invalidations);
        try
        {
            var (found, link) = _shared is null ? (false, null) : await _shared.TryGetAsync(code).ConfigureAwait(false);
            if (_shared is not null)
            {
                (found ? _hits : _misses)?.Add(1, Shared);
            }

            if (!found)
            {
                // Not the caller's token: other callers share this read.
                link = await _store.FindAsync(code, CancellationToken.None).ConfigureAwait(false);
                (link is null ? _misses : _hits)?.Add(1, Store);
                _shared?.Remember(code, link);
            }

            if (_cache is not null && Interlocked.Read(ref _invalidations) == invalidationsBefore)
            {
                _cache.Set(code, link, _entryOptions);
            }

            read.SetResult(link);
            return link;
        }
        catch (Exception exception)
        {
            read.SetException(exception);

            // Observed here: the starter rethrows, and a read nobody joined must not fault the finalizer.
            _ = read.Task.Exception;
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<ShortLink?>>(code, read.Task));
        }
    }
}
