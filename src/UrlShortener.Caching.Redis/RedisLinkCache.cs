using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using UrlShortener.Core.Links;

namespace UrlShortener.Caching.Redis;

/// <summary>
/// Redis as the L2 link cache (cache-aside). Every call is bounded by a timeout of milliseconds and a
/// circuit breaker: a down or slow Redis costs a redirect nothing but a store read, and is tried again
/// by itself. Deletes that cannot reach Redis are kept and retried; every delete is repeated a moment
/// later, so that a read racing with the change on another instance cannot leave an old entry behind.
/// </summary>
/// <remarks>
/// Reads go out in batches with one timer each (<see cref="RedisReadBatcher"/>), other calls with
/// <see cref="Task.WaitAsync(TimeSpan, TimeProvider)"/>: Polly's timeout strategy cost the Redis-hit redirect
/// throughput (docs/benchmarks.md). Polly keeps the breaker.
/// </remarks>
public sealed partial class RedisLinkCache : BackgroundService, ILinkCache
{
    private static readonly TimeSpan SecondDeleteDelay = TimeSpan.FromSeconds(2);

    // Polly v8's breaker judges a failure ratio over a window: after a busy healthy spell a Redis that
    // stops answering would cost every redirect the full timeout for seconds. This many timeouts in a
    // row isolate the circuit at once (Polly has no consecutive-failure breaker since v8).
    private const int TimeoutsInARowToSkip = 3;

    private readonly RedisOptions _options;
    private readonly ILogger<RedisLinkCache> _logger;
    private readonly RedisConnection _connection;
    private readonly ResiliencePipeline _breaker;
    private readonly RedisReadBatcher _reads;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pendingDeletes = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly CircuitBreakerManualControl _isolation = new();
    private readonly TimeSpan _breakDuration;
    private int _timeoutsInARow;

    public RedisLinkCache(RedisConnection connection, IOptions<RedisOptions> options, TimeProvider clock, ILogger<RedisLinkCache> logger, IMeterFactory? meters = null)
    {
        // Read when a listener collects: nothing on the redirect path.
        meters?.Create("UrlShortener").CreateObservableGauge(
            "urlshortener.redis.breaker.state",
            () => BreakerState,
            unit: "{state}",
            description: "The Redis breaker: 0 closed (Redis in use), 1 open (skipped), 2 half-open (trying it again).");
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _connection = connection;
        _reads = new RedisReadBatcher(() => Redis?.GetDatabase(), TimeSpan.FromMilliseconds(Math.Max(_options.OperationTimeoutMilliseconds, 1)), clock);
        _timeout = TimeSpan.FromMilliseconds(Math.Max(_options.OperationTimeoutMilliseconds, 1));
        _breakDuration = TimeSpan.FromSeconds(Math.Max(_options.BreakSeconds, 0.5));
        _breaker = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(5),
                BreakDuration = _breakDuration,
                StateProvider = _circuit,
                ManualControl = _isolation,
                ShouldHandle = args => ValueTask.FromResult(Judge(args.Outcome.Exception)),
                OnOpened = _ =>
                {
                    RedisSkipped(_logger, _breakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    RedisBack(_logger);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public bool IsConnected => Redis?.IsConnected == true;

    private ConnectionMultiplexer? Redis => _connection.Multiplexer;

    /// <summary>True while the breaker keeps calls away from Redis.</summary>
    public bool IsSkipped => _circuit.CircuitState is CircuitState.Open or CircuitState.Isolated;

    /// <summary>The breaker as a number for the metric: 0 closed (Redis in use), 1 open (skipped), 2 half-open (one call tries it).</summary>
    public int BreakerState => _circuit.CircuitState switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 2,
        _ => 1,
    };

    public async ValueTask<(bool Found, ShortLink? Link)> TryGetAsync(string code)
    {
        if (Redis is not { } redis)
        {
            return (false, null);
        }

        RedisValue value;
        try
        {
            value = await _breaker.ExecuteAsync(
                static async (state, _) => await state.Reads.GetAsync(state.Key).ConfigureAwait(false),
                (Reads: _reads, Key: (RedisKey)Key(code))).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsRedisFailure(exception))
        {
            return (false, null);
        }

        if (value.IsNull)
        {
            return (false, null);
        }

        var bytes = (byte[]?)value;
        return bytes is null || bytes.Length == 0
            ? (true, null)
            : (true, JsonSerializer.Deserialize(bytes, RedisJsonContext.Default.ShortLink));
    }

    public void Remember(string code, ShortLink? link)
    {
        if (Redis is not { IsConnected: true } redis)
        {
            return;
        }

        var value = link is null ? RedisValue.EmptyString : (RedisValue)JsonSerializer.SerializeToUtf8Bytes(link, RedisJsonContext.Default.ShortLink);
        var lifetime = TimeSpan.FromSeconds(link is null ? _options.NegativeTimeToLiveSeconds : _options.TimeToLiveSeconds);
        try
        {
            redis.GetDatabase().StringSet(Key(code), value, lifetime, flags: CommandFlags.FireAndForget);
        }
        catch (Exception exception) when (IsRedisFailure(exception))
        {
            // An accelerator: the next reader asks the store.
        }
    }

    public async ValueTask RemoveAsync(string code)
    {
        _pendingDeletes[code] = _clock.GetUtcNow() + SecondDeleteDelay;
        await TryDeleteAsync(code).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        base.Dispose();
        _reads.Dispose();
    }

    /// <summary>Sends the deletes that are due: second deletes, and those Redis was away for.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), _clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var now = _clock.GetUtcNow();
            foreach (var (code, due) in _pendingDeletes)
            {
                if (due <= now && await TryDeleteAsync(code).ConfigureAwait(false))
                {
                    _pendingDeletes.TryRemove(new KeyValuePair<string, DateTimeOffset>(code, due));
                }
            }
        }
    }

    private async Task<bool> TryDeleteAsync(string code)
    {
        if (Redis is not { } redis)
        {
            return false;
        }

        try
        {
            await CallAsync(redis, static (database, key) => database.KeyDeleteAsync(key), code).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (IsRedisFailure(exception))
        {
            return false;
        }
    }

    /// <summary>One Redis call, through the breaker and within the timeout.</summary>
    private ValueTask<T> CallAsync<T>(ConnectionMultiplexer redis, Func<IDatabase, RedisKey, Task<T>> call, string code) =>
        _breaker.ExecuteAsync(
            static async (state, token) => await state.Call(state.Database, state.Key).WaitAsync(state.Timeout, state.Clock, token).ConfigureAwait(false),
            (Call: call, Database: redis.GetDatabase(), Key: (RedisKey)Key(code), Timeout: _timeout, Clock: _clock));

    // Every outcome passes here: it counts timeouts in a row, and says which failures the ratio counts.
    private bool Judge(Exception? exception)
    {
        if (exception is TimeoutException)
        {
            if (Interlocked.Increment(ref _timeoutsInARow) == TimeoutsInARowToSkip)
            {
                _ = SkipForABreakAsync();
            }

            return true;
        }

        if (exception is null && Volatile.Read(ref _timeoutsInARow) != 0)
        {
            Volatile.Write(ref _timeoutsInARow, 0);
        }

        return exception is not null and not OperationCanceledException;
    }

    // Isolated for one break, then closed: the next calls try Redis again, and three more timeouts isolate it again.
    private async Task SkipForABreakAsync()
    {
        try
        {
            // Isolating raises the breaker's OnOpened, which logs it.
            await _isolation.IsolateAsync().ConfigureAwait(false);
            await Task.Delay(_breakDuration, _clock).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _timeoutsInARow, 0);
            await _isolation.CloseAsync().ConfigureAwait(false);
        }
    }

    private string Key(string code) => _options.KeyPrefix + "link:" + code;

    private static bool IsRedisFailure(Exception exception) =>
        exception is RedisException or BrokenCircuitException or TimeoutException or ObjectDisposedException;

    [LoggerMessage(201, LogLevel.Warning, "Redis is failing: served from the store without it for {BreakSeconds} s, then tried again")]
    private static partial void RedisSkipped(ILogger logger, double breakSeconds);

    [LoggerMessage(202, LogLevel.Information, "Redis answers again: the shared cache is back in use")]
    private static partial void RedisBack(ILogger logger);
}

[JsonSerializable(typeof(ShortLink))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
