using System.Diagnostics.Metrics;
using UrlShortener.Web.Clicks;

namespace UrlShortener.Web.Limits;

/// <summary>The limits' counters in the <c>UrlShortener</c> meter.</summary>
public sealed class RateLimitMetrics
{
    private readonly Counter<long> _refused;

    public RateLimitMetrics(IMeterFactory meters)
    {
        _refused = meters.Create(ClickMetrics.MeterName).CreateCounter<long>(
            "urlshortener.ratelimit.refused", "{request}", "Requests answered 429, by policy: writes and reads per API key, unknown-codes per client, password-attempts per link and client.");
    }

    public void Refused(string policy) => _refused.Add(1, new KeyValuePair<string, object?>("policy", policy));
}
