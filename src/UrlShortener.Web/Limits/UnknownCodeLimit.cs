using Microsoft.Extensions.Options;
using UrlShortener.Core.Limits;

namespace UrlShortener.Web.Limits;

/// <summary>
/// Refuses code enumeration: a client drawing more unknown-code answers than <c>RateLimits:UnknownCodes</c> allows
/// gets 429 for those until its quota comes back. Only a redirect that found nothing asks, so a live link is never
/// limited and the hot redirect pays nothing. Counted in each instance: a scan costs a store read per code anyway.
/// </summary>
public sealed class UnknownCodeLimit(IOptions<RateLimitOptions> options, ClientAddresses clients, RateLimitMetrics metrics, TimeProvider clock)
{
    private readonly RateLimitPolicy? _policy = options.Value.UnknownCodes.ToPolicy("unknown-codes");
    private readonly InProcessRateLimitCounter _counter = new(clock);

    /// <summary>Counts an unknown code answered to <paramref name="context"/>'s client; null when allowed, else how long to wait.</summary>
    public TimeSpan? Refusal(HttpContext context)
    {
        if (_policy is null)
        {
            return null;
        }

        var decision = _counter.Acquire(clients.Of(context), _policy);
        if (decision.Allowed)
        {
            return null;
        }

        metrics.Refused(_policy.Name);
        return decision.RetryAfter;
    }
}
