namespace UrlShortener.Core.Links;

/// <summary>
/// The marker a link's QR code adds to its short URL (<c>?qr=1</c>): a visit that brings it is a scan. The redirect
/// takes it out before anything else reads the query, so it never reaches the destination.
/// </summary>
public static class QrScan
{
    public const string Marker = "qr=1";

    /// <summary>The visitor's query without the marker, and whether it was there.</summary>
    public static ReadOnlySpan<char> Strip(ReadOnlySpan<char> query, out bool scanned)
    {
        scanned = false;
        if (query.IsEmpty || query.IndexOf(Marker, StringComparison.Ordinal) < 0)
        {
            return query;
        }

        var pairs = query.TrimStart('?').ToString().Split('&');
        var kept = pairs.Where(p => p != Marker).ToArray();
        scanned = kept.Length < pairs.Length;
        return scanned ? (kept.Length == 0 ? [] : ("?" + string.Join('&', kept)).AsSpan()) : query;
    }
}
