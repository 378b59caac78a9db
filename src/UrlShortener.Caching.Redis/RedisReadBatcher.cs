using System.Threading.Channels;
using StackExchange.Redis;

namespace UrlShortener.Caching.Redis;

/// <summary>
/// Sends the GETs that callers start at the same time as one batch, in one write, and gives the whole batch
/// one time limit. The client flushes each command on its own, so under load Redis would pay a socket read
/// per GET; no client option batches the commands of concurrent callers (IBatch does, for commands one
/// caller has in hand), hence this loop.
/// </summary>
internal sealed class RedisReadBatcher : IDisposable
{
    private const int MaxPerBatch = 256;

    private readonly Channel<(RedisKey Key, TaskCompletionSource<RedisValue> Read)> _pending =
        Channel.CreateUnbounded<(RedisKey, TaskCompletionSource<RedisValue>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Func<IDatabase?> _database;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _clock;

    public RedisReadBatcher(Func<IDatabase?> database, TimeSpan timeout, TimeProvider clock)
    {
        _database = database;
        _timeout = timeout;
        _clock = clock;
        _ = Task.Run(SendAsync);
    }

    /// <summary>The value of <paramref name="key"/>, read in the next batch; a <see cref="TimeoutException"/> past the time limit.</summary>
    public Task<RedisValue> GetAsync(RedisKey key)
    {
        // Asynchronous continuations: a batch's callers go on in parallel, not one after the other on this loop.
        var read = new TaskCompletionSource<RedisValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite((key, read)), this);
        return read.Task;
    }

    public void Dispose() => _pending.Writer.TryComplete();

    private async Task SendAsync()
    {
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var database = _database();
            var batch = database?.CreateBatch();
            var reads = new List<(Task<RedisValue> Get, TaskCompletionSource<RedisValue> Read)>();
            for (var count = 0; count < MaxPerBatch && reader.TryRead(out var item); count++)
            {
                if (batch is null)
                {
                    item.Read.SetException(new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is not connected."));
                    continue;
                }

                reads.Add((batch.StringGetAsync(item.Key), item.Read));
            }

            if (batch is not null)
            {
                batch.Execute();
                _ = CompleteAsync(reads);
            }
        }
    }

    // Redis answers a connection's commands in order: the batch's GETs end together, so one timer serves them all.
    private async Task CompleteAsync(List<(Task<RedisValue> Get, TaskCompletionSource<RedisValue> Read)> reads)
    {
        try
        {
            await Task.WhenAll(reads.Select(r => r.Get)).WaitAsync(_timeout, _clock).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Each read is settled below from its own outcome.
        }

        foreach (var (get, read) in reads)
        {
            if (get.IsCompletedSuccessfully)
            {
                read.TrySetResult(get.Result);
            }
            else if (get.IsFaulted)
            {
                read.TrySetException(get.Exception.InnerExceptions);
            }
            else
            {
                read.TrySetException(new TimeoutException($"Redis did not answer within {_timeout.TotalMilliseconds:0} ms."));
                _ = get.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
