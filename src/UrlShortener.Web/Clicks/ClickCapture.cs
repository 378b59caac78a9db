using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Web.Clicks;

/// <summary>Turns a redirect's request into a click and hands it to the buffer; never waits on anything.</summary>
public sealed class ClickCapture(ClickRecorder recorder, IOptions<ClickOptions> options, TimeProvider clock)
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
        recorder.Record(ClickFacts.Create(
            code,
            clock.GetUtcNow(),
            request.Method,
            headers.UserAgent.ToString(),
            headers.Referer.ToString(),
            _countryHeader is null ? null : headers[_countryHeader].ToString(),
            IsPrefetch(headers),
            campaign,
            isQrScan));
    }

    // Browsers announce speculative loads; they are not visits.
    private static bool IsPrefetch(IHeaderDictionary headers) =>
        headers["Sec-Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || headers["Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || headers["X-Moz"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
        || headers["X-Purpose"].ToString().Contains("preview", StringComparison.OrdinalIgnoreCase);
}
