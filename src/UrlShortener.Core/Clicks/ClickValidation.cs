using UrlShortener.Core.Links;

namespace UrlShortener.Core.Clicks;

/// <summary>What an aggregator accepts from a queue message: anything else is dropped, never counted.</summary>
public static class ClickValidation
{
    /// <summary>Clicks older than this are refused: they cannot be real (queues keep messages for days, not months).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    /// <summary>Clocks of instances may disagree a little; more than this in the future is refused.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(10);

    /// <summary>Most visits one merged click may stand for: far above what one instance sees in an hour.</summary>
    public const int MaxCount = 100_000_000;

    private const int MaxNameLength = 100;

    /// <returns>Why the click is refused, or null.</returns>
    public static string? Check(ClickEvent click, DateTimeOffset now)
    {
        if (!ShortCode.IsWellFormed(click.Code))
        {
            return "the code is malformed";
        }

        if (click.Count is < 1 or > MaxCount)
        {
            return "the count is not 1 to 100000000";
        }

        if (click.Time > now + MaxSkew)
        {
            return "the time is in the future";
        }

        if (click.Time < now - MaxAge)
        {
            return "the time is too far in the past";
        }

        if (!IsName(click.Browser) || !IsName(click.OperatingSystem) || !IsName(click.Device)
            || (click.ReferrerHost is not null && !IsName(click.ReferrerHost))
            || (click.Country is not null && ClickFacts.Country(click.Country) != click.Country))
        {
            return "a dimension is malformed";
        }

        return null;
    }

    // Names become JSON property names and patch paths: printable, no '/' or '~', bounded.
    private static bool IsName(string value) =>
        value.Length is > 0 and <= MaxNameLength && value.All(c => c >= ' ' && c < '\u007f' && c is not ('/' or '~' or '"' or '\\'));
}
