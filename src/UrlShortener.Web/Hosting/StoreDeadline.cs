using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Idempotency;
using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;

namespace UrlShortener.Web.Hosting;

/// <summary>
/// The time a store call may take (<c>Shortener:StoreTimeoutSeconds</c>). A store that hangs (a stopped
/// process, a lost network) then fails the call with a <see cref="TimeoutException"/>, which the API
/// answers as 503 with Retry-After, instead of holding the request for as long as the SDK would wait.
/// </summary>
public sealed class StoreDeadline
{
    private readonly Counter<long> _failures;

    public StoreDeadline(IOptions<ShortenerOptions> options, IMeterFactory meters)
    {
        Timeout = TimeSpan.FromSeconds(options.Value.StoreTimeoutSeconds);
        _failures = meters.Create(Clicks.ClickMetrics.MeterName).CreateCounter<long>(
            "urlshortener.store.failures", "{call}", "Store calls that failed or passed the deadline, by adapter.");
    }

    public TimeSpan Timeout { get; }

    /// <summary>Counts a failed call of <paramref name="store"/> (the adapter's name) in the metric.</summary>
    public void Failed(string store) => _failures.Add(1, new KeyValuePair<string, object?>("store", store));

    /// <summary>
    /// Runs <paramref name="call"/> with a token cancelled at the deadline, and stops waiting then even
    /// if the call does not listen. A call that completes at once (an embedded read) costs one token source.
    /// </summary>
    public Task<T> RunAsync<T>(string store, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<T> task;
        try
        {
            task = call(deadline.Token);
        }
        catch
        {
            deadline.Dispose();
            Failed(store);
            throw;
        }

        if (task.IsCompleted)
        {
            deadline.Dispose();
            if (task.IsFaulted)
            {
                Failed(store);
            }

            return task;
        }

        deadline.CancelAfter(Timeout);
        return AwaitAsync(store, task, deadline, cancellationToken);
    }

    /// <summary>
    /// Stops waiting for <paramref name="task"/> at the deadline without cancelling it: for the redirect's
    /// read, where an embedded store answers at once and must not pay for a token source.
    /// </summary>
    public Task<T> WaitAsync<T>(string store, Task<T> task, CancellationToken cancellationToken)
    {
        if (!task.IsCompleted)
        {
            return WaitOrTimeOutAsync(store, task, cancellationToken);
        }

        if (task.IsFaulted)
        {
            Failed(store);
        }

        return task;
    }

    public Task RunAsync(string store, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RunAsync(store, async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private async Task<T> AwaitAsync<T>(string store, Task<T> task, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        try
        {
            // One timer: the deadline's token ends the wait as well as the call.
            return await task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            Failed(store);
            throw new TimeoutException($"The store did not answer within {Timeout.TotalSeconds:0.#} s.", exception);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(store);
            throw;
        }
        finally
        {
            deadline.Dispose();
        }
    }

    private async Task<T> WaitOrTimeOutAsync<T>(string store, Task<T> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            Failed(store);
            throw new TimeoutException($"The store did not answer within {Timeout.TotalSeconds:0.#} s.", exception);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(store);
            throw;
        }
    }

    /// <summary>Every readiness check answers within the deadline too: a hung backend is reported, not waited on.</summary>
    internal static void Apply(HealthCheckServiceOptions health, StoreDeadline deadline)
    {
        foreach (var registration in health.Registrations)
        {
            registration.Timeout = registration.Timeout == System.Threading.Timeout.InfiniteTimeSpan || registration.Timeout > deadline.Timeout
                ? deadline.Timeout
                : registration.Timeout;
        }
    }
}

/// <summary>A link store whose every call ends within the <see cref="StoreDeadline"/>, its failures counted under <paramref name="name"/>.</summary>
public sealed class DeadlineLinkStore(ILinkStore store, string name, StoreDeadline deadline) : ILinkStore
{
    /// <summary>The adapter behind the deadline.</summary>
    public ILinkStore Inner => store;

    public Task<bool> TryCreateAsync(ShortLink link, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => store.TryCreateAsync(link, token), cancellationToken);

    public int CreateManyBatchSize => store.CreateManyBatchSize;

    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<ShortLink> links, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => store.TryCreateManyAsync(links, token), cancellationToken);

    public Task<ShortLink?> FindAsync(string code, CancellationToken cancellationToken) =>
        deadline.WaitAsync(name, store.FindAsync(code, cancellationToken), cancellationToken);

    public Task<bool> TryReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => store.TryReplaceAsync(current, updated, token), cancellationToken);

    public Task<IReadOnlyList<ShortLink>> ListByOwnerAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => store.ListByOwnerAsync(owner, limit, after, token), cancellationToken);
}

/// <summary>A key-range source whose every call ends within the <see cref="StoreDeadline"/>.</summary>
public sealed class DeadlineKeyRangeSource(IKeyRangeSource source, string name, StoreDeadline deadline) : IKeyRangeSource
{
    public IKeyRangeSource Inner => source;

    public Task<KeyRange> AcquireAsync(int count, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => source.AcquireAsync(count, token), cancellationToken);
}

/// <summary>A stats store whose every call ends within the <see cref="StoreDeadline"/>.</summary>
public sealed class DeadlineStatsStore(IStatsStore stats, string name, StoreDeadline deadline) : IStatsStore
{
    public IStatsStore Inner => stats;

    public Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => stats.ApplyAsync(messageId, days, token), cancellationToken);

    public Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => stats.ReadAsync(code, days, token), cancellationToken);

    public Task<long> TotalAsync(string code, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => stats.TotalAsync(code, token), cancellationToken);
}

/// <summary>An idempotency-key store whose every call ends within the <see cref="StoreDeadline"/>.</summary>
public sealed class DeadlineIdempotencyStore(IIdempotencyStore keys, string name, StoreDeadline deadline) : IIdempotencyStore
{
    public Task<IdempotencyClaim> ClaimAsync(IdempotencyScope scope, byte[] fingerprint, DateTimeOffset now, TimeSpan lease, TimeSpan retention, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, token => keys.ClaimAsync(scope, fingerprint, now, lease, retention, token), cancellationToken);

    public Task<bool> CompleteAsync(IdempotencyScope scope, string token, IdempotentAnswer answer, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, ct => keys.CompleteAsync(scope, token, answer, ct), cancellationToken);

    public Task ReleaseAsync(IdempotencyScope scope, string token, CancellationToken cancellationToken) =>
        deadline.RunAsync(name, async ct =>
        {
            await keys.ReleaseAsync(scope, token, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
