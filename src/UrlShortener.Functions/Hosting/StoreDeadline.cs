using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;

namespace UrlShortener.Functions.Hosting;

/// <summary>
/// The time a store call may take (<c>Shortener:StoreTimeoutSeconds</c>). A store that hangs (a stopped
/// process, a lost network) then fails the call with a <see cref="TimeoutException"/>, which the API
/// answers as 503 with Retry-After, instead of holding the request for as long as the SDK would wait.
/// </summary>
public sealed class StoreDeadline(IOptions<ShortenerOptions> options)
{
    public TimeSpan Timeout { get; } = TimeSpan.FromSeconds(options.Value.StoreTimeoutSeconds);

    /// <summary>
    /// Runs <paramref name="call"/> with a token cancelled at the deadline, and stops waiting then even
    /// if the call does not listen. A call that completes at once (an embedded read) costs one token source.
    /// </summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
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
            throw;
        }

        if (task.IsCompleted)
        {
            deadline.Dispose();
            return task;
        }

        deadline.CancelAfter(Timeout);
        return AwaitAsync(task, deadline, cancellationToken);
    }

    /// <summary>
    /// Stops waiting for <paramref name="task"/> at the deadline without cancelling it: for the redirect's
    /// read, where an embedded store answers at once and must not pay for a token source.
    /// </summary>
    public Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken) =>
        task.IsCompleted ? task : WaitOrTimeOutAsync(task, cancellationToken);

    public Task RunAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RunAsync(async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private async Task<T> AwaitAsync<T>(Task<T> task, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        try
        {
            // One timer: the deadline's token ends the wait as well as the call.
            return await task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The store did not answer within {Timeout.TotalSeconds:0.#} s.", exception);
        }
        finally
        {
            deadline.Dispose();
        }
    }

    private async Task<T> WaitOrTimeOutAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"The store did not answer within {Timeout.TotalSeconds:0.#} s.", exception);
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

/// <summary>A link store whose every call ends within the <see cref="StoreDeadline"/>.</summary>
public sealed class DeadlineLinkStore(ILinkStore store, StoreDeadline deadline) : ILinkStore
{
    public Task<bool> TryCreateAsync(ShortLink link, CancellationToken cancellationToken) =>
        deadline.RunAsync(token => store.TryCreateAsync(link, token), cancellationToken);

    public Task<ShortLink?> FindAsync(string code, CancellationToken cancellationToken) =>
        deadline.WaitAsync(store.FindAsync(code, cancellationToken), cancellationToken);

    public Task<bool> TryReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken) =>
        deadline.RunAsync(token => store.TryReplaceAsync(current, updated, token), cancellationToken);

    public Task<IReadOnlyList<ShortLink>> ListByOwnerAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken) =>
        deadline.RunAsync(token => store.ListByOwnerAsync(owner, limit, after, token), cancellationToken);
}

/// <summary>A key-range source whose every call ends within the <see cref="StoreDeadline"/>.</summary>
public sealed class DeadlineKeyRangeSource(IKeyRangeSource source, StoreDeadline deadline) : IKeyRangeSource
{
    public Task<KeyRange> AcquireAsync(int count, CancellationToken cancellationToken) =>
        deadline.RunAsync(token => source.AcquireAsync(count, token), cancellationToken);
}

/// <summary>A stats store whose every call ends within the <see cref="StoreDeadline"/>.</summary>
public sealed class DeadlineStatsStore(IStatsStore stats, StoreDeadline deadline) : IStatsStore
{
    public Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken) =>
        deadline.RunAsync(token => stats.ApplyAsync(messageId, days, token), cancellationToken);

    public Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken) =>
        deadline.RunAsync(token => stats.ReadAsync(code, days, token), cancellationToken);

    public Task<long> TotalAsync(string code, CancellationToken cancellationToken) =>
        deadline.RunAsync(token => stats.TotalAsync(code, token), cancellationToken);
}
