using UrlShortener.Core.Links;

namespace UrlShortener.Core.Clicks;

/// <summary>
/// What an aggregator accepts from a queue message: a click with a malformed code, count or time is
/// dropped, never counted; one with a malformed dimension is counted under "Other" for it.
/// </summary>
public static class ClickValidation
{
    /// <summary>Clicks older than this are refused: they cannot be real (queues keep messages for days, not months).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    /// <summary>Clocks of instances may disagree a little; more than this in the future is refused.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(10);

    /// <summary>Most visits one merged click may stand for: far above what one instance sees in an hour.</summary>
    public const int MaxCount = 100_000_000;

    /// <summary>The longest dimension value (a referrer host, a browser name) that stats keep.</summary>
    public const int MaxNameLength = 100;

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

        return null;
    }

    /// <summary>The click with every dimension a store cannot keep replaced by <see cref="Dimensions.Unknown"/> (the country by none).</summary>
    public static ClickEvent WithStorableDimensions(ClickEvent click) =>
        IsName(click.Browser) && IsName(click.OperatingSystem) && IsName(click.Device)
        && (click.ReferrerHost is null || IsName(click.ReferrerHost))
        && (click.Country is null || ClickFacts.Country(click.Country) == click.Country)
            ? click
            : click with
            {
                Browser = Storable(click.Browser),
                OperatingSystem = Storable(click.OperatingSystem),
                Device = Storable(click.Device),
                ReferrerHost = click.ReferrerHost is null ? null : Storable(click.ReferrerHost),
                Country = click.Country is not null && ClickFacts.Country(click.Country) == click.Country ? click.Country : null,
            };

    private static string Storable(string value) => IsName(value) ? value : Dimensions.Unknown;

    // Names become JSON property names and patch paths: printable, no '/' or '~', bounded.
    private static bool IsName(string value) =>
        value.Length is > 0 and <= MaxNameLength && value.All(c => c >= ' ' && c < '\u007f' && c is not ('/' or '~' or '"' or '\\'));
}
