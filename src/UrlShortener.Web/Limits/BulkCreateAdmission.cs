using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using UrlShortener.Web.Endpoints;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Limits;

/// <summary>
/// Lets <c>Shortener:BulkCreateConcurrency</c> bulk creates run at once in this instance; the others wait their turn,
/// oldest first, before their bodies are read. A running bulk create holds its thousand links in memory: all admitted
/// at once, they mostly waited on the store together, held on through the GC's generations and slowed every one.
/// Past <see cref="QueueLimit"/> waiting, a call is refused with 503 and Retry-After.
/// </summary>
public sealed class BulkCreateAdmission : IEndpointFilter, IDisposable
{
    public const int QueueLimit = 256;

    private readonly ConcurrencyLimiter _limiter;

    public BulkCreateAdmission(IOptions<ShortenerOptions> options)
    {
        Concurrency = options.Value.BulkCreateConcurrency ?? Math.Max(2, Environment.ProcessorCount);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Concurrency,
            QueueLimit = QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>How many bulk creates run at once.</summary>
    public int Concurrency { get; }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        using var lease = await _limiter.AcquireAsync(1, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return Problems.ServiceUnavailable($"{QueueLimit} bulk creates are already waiting their turn on this instance: send this one again shortly.");
        }

        return await next(context).ConfigureAwait(false);
    }

    public void Dispose() => _limiter.Dispose();
}
