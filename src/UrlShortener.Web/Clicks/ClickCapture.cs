using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Clicks;

/// <summary>Turns a redirect's request into a click and hands it to the buffer; never waits on anything.</summary>
public sealed class ClickCapture(ClickRecorder recorder, IOptions<ClickOptions> options, TimeProvider clock, ClientAddresses addresses, VisitorMarks visitors)
{
    private readonly bool _enabled = options.Value.Enabled;
    private readonly string? _countryHeader = string.IsNullOrWhiteSpace(options.Value.CountryHeader) ? null : options.Value.CountryHeader;

    public void Record(string code, HttpRequest request, string? campaign = null, bool isQrScan = false)
    {
        if (!_enabled)
        {
            return;
        }

        var headers = request.Headers;
        var now = clock.GetUtcNow();
        var userAgent = headers.UserAgent.ToString();
        var kind = UserAgentClassifier.Classify(userAgent);
        var isPrefetch = IsPrefetch(headers);

        // The visitor's mark costs an HMAC: only a human's click keeps one, so a bot's never computes it.
        int? visitor = ClickFacts.IsAutomated(kind, request.Method, isPrefetch) ? null : VisitorOf(request.HttpContext, now, userAgent);
        recorder.Record(ClickFacts.Create(
            code,
            now,
            request.Method,
            kind,
            headers.Referer.ToString(),
            _countryHeader is null ? null : headers[_countryHeader].ToString(),
            isPrefetch,
            campaign,
            isQrScan,
            visitor));
    }

    private int VisitorOf(HttpContext context, DateTimeOffset now, string userAgent)
    {
        Span<byte> address = stackalloc byte[16];
        var length = ClientAddresses.PartitionBytes(addresses.AddressOf(context), address);
        return visitors.Mark(DateOnly.FromDateTime(now.UtcDateTime), address[..length], userAgent);
    }

    // Browsers announce speculative loads; they are not visits.
    private static bool IsPrefetch(IHeaderDictionary headers) =>
        headers["Sec-Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || headers["Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || headers["X-Moz"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || headers["X-Purpose"].ToString().Contains("preview", StringComparison.OrdinalIgnoreCase);
}
