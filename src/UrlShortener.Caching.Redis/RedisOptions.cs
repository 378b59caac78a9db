namespace UrlShortener.Caching.Redis;

/// <summary>The <c>Redis</c> configuration section. Redis is used as the shared L2 cache when a connection string is set.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration, e.g. <c>host:6380,password=…,ssl=True</c> (access-key auth).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prefix of every key, so that deployments can share a server.</summary>
    public string KeyPrefix { get; set; } = "urlshortener:";

    public double TimeToLiveSeconds { get; set; } = 300;

    /// <summary>How long an unknown code is remembered as unknown.</summary>
    public double NegativeTimeToLiveSeconds { get; set; } = 30;

    /// <summary>Longest wait for one Redis operation before it counts as a miss.</summary>
    public double OperationTimeoutMilliseconds { get; set; } = 100;

    /// <summary>How long Redis is skipped after it failed, before one request tries it again.</summary>
    public double BreakSeconds { get; set; } = 5;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);
}
