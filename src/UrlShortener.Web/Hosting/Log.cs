namespace UrlShortener.Web.Hosting;

/// <summary>Every log line the app writes, as source-generated message templates.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "NO API KEYS CONFIGURED: the API is open to anyone who can reach it, as the single owner '{Owner}'. This is allowed only in Development; configure Auth:ApiKeys before exposing this app.")]
    public static partial void RunningOpen(ILogger logger, string owner);

    [LoggerMessage(2, LogLevel.Error, "The {Store} store failed on {Method} {Path}")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string store, string method, string path);

    [LoggerMessage(13, LogLevel.Warning, "Click message {MessageId} cannot be read; it was dead-lettered")]
    public static partial void ClickMessageDeadLettered(ILogger logger, string messageId);

    [LoggerMessage(7, LogLevel.Warning, "A click of message {MessageId} was dropped: {Reason}")]
    public static partial void ClickDropped(ILogger logger, string messageId, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Sending {Count} clicks to the queue failed; retrying in {DelaySeconds} s")]
    public static partial void ClickPublishFailed(ILogger logger, Exception exception, long count, double delaySeconds);

    [LoggerMessage(9, LogLevel.Error, "Applying queued clicks failed; they stay queued and are tried again")]
    public static partial void AggregationFailed(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Error, "{Count} clicks could not be sent to the queue within {Seconds} s of shutdown and are lost")]
    public static partial void ClicksLostAtShutdown(ILogger logger, long count, double seconds);

    [LoggerMessage(14, LogLevel.Warning, "The shared rate-limit counter (Redis) failed: each instance limits on its own for {Seconds} s, then Redis is tried again")]
    public static partial void RateLimitsPerInstance(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(12, LogLevel.Warning, "{Count} clicks dropped in the last {IntervalSeconds} s: the click buffer is full, so the queue is down or slower than the visits")]
    public static partial void ClicksDropped(ILogger logger, long count, double intervalSeconds);
}
