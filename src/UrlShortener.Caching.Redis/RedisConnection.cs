using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace UrlShortener.Caching.Redis;

/// <summary>The app's one Redis multiplexer, connected in the background: the app starts and serves however long Redis takes.</summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Task<ConnectionMultiplexer> _connecting;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        var settings = options.Value;
        var configuration = ConfigurationOptions.Parse(settings.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2000);
        configuration.SyncTimeout = (int)Math.Max(settings.OperationTimeoutMilliseconds, 10);
        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        _connecting = ConnectionMultiplexer.ConnectAsync(configuration);
    }

    /// <summary>The multiplexer once made (it may still be disconnected), or null before that.</summary>
    internal ConnectionMultiplexer? Multiplexer => _connecting.IsCompletedSuccessfully ? _connecting.Result : null;

    public bool IsConnected => Multiplexer?.IsConnected == true;

    public void Dispose() =>
        _ = _connecting.ContinueWith(static connecting => connecting.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
}
