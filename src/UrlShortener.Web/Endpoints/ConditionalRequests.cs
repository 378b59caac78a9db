using Microsoft.Net.Http.Headers;

namespace UrlShortener.Web.Endpoints;

/// <summary>Conditional GETs of the answers that carry an ETag (QR codes, the dashboard's files).</summary>
public static class ConditionalRequests
{
    /// <summary>
    /// True when <c>If-None-Match</c> names <paramref name="etag"/> (or is <c>*</c>): the client's copy is current,
    /// and the answer is a 304. Compared weakly, as RFC 9110 has it for If-None-Match.
    /// </summary>
    public static bool NoneMatch(HttpRequest request, string etag) =>
        EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || string.Equals(tag.Tag.Value, etag, StringComparison.Ordinal));
}
