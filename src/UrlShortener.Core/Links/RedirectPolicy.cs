namespace UrlShortener.Core.Links;

/// <summary>What a visit to a short code answers.</summary>
public abstract record RedirectDecision
{
    private RedirectDecision()
    {
    }

    /// <summary>Send the visitor to <see cref="Location"/> with <see cref="Status"/>; a visit counts under <see cref="Campaign"/>.</summary>
    public sealed record Redirect(string Location, RedirectType Status, bool CountsAsVisit, string? Campaign = null) : RedirectDecision;

    /// <summary>The link is live but asks for its password first; nothing counts until it is given.</summary>
    public sealed record Locked : RedirectDecision;

    /// <summary>No link ever had this code.</summary>
    public sealed record NotFound : RedirectDecision;

    /// <summary>The link existed but is expired, disabled or deleted, and has no fallback.</summary>
    public sealed record Gone(LinkState State) : RedirectDecision;

    public static readonly NotFound Unknown = new();

    public static readonly Locked PasswordRequired = new();
}

public static class RedirectPolicy
{
    /// <param name="link">The stored link, or null when the code is unknown.</param>
    /// <param name="now">The time of the visit.</param>
    /// <param name="incomingQuery">The visitor's raw query string, possibly empty.</param>
    /// <param name="unlocked">True when the visitor gave the link's password (or holds its unlock cookie).</param>
    public static RedirectDecision Decide(ShortLink? link, DateTimeOffset now, ReadOnlySpan<char> incomingQuery, bool unlocked = false)
    {
        if (link is null)
        {
            return RedirectDecision.Unknown;
        }

        var state = link.StateAt(now);
        if (state != LinkState.Active)
        {
            // A fallback is a plain temporary redirect: the link may come back, so nothing is cached.
            return link.FallbackUrl is { } fallback
                ? new RedirectDecision.Redirect(fallback, RedirectType.Found, CountsAsVisit: false)
                : new RedirectDecision.Gone(state);
        }

        if (link.PasswordProtected && !unlocked)
        {
            return RedirectDecision.PasswordRequired;
        }

        var location = link.Utm is null && (!link.ForwardQuery || incomingQuery.IsEmpty)
            ? link.Url
            : UtmTags.Destination(link, link.ForwardQuery ? incomingQuery : []);
        return new RedirectDecision.Redirect(location, StatusOf(link), CountsAsVisit: true, UtmTags.CampaignOf(link, incomingQuery));
    }

    // A browser keeps a permanent redirect and would follow it again without asking: a protected link answers temporarily.
    private static RedirectType StatusOf(ShortLink link) => link switch
    {
        { PasswordProtected: false } => link.RedirectType,
        { RedirectType: RedirectType.MovedPermanently } => RedirectType.Found,
        { RedirectType: RedirectType.PermanentRedirect } => RedirectType.TemporaryRedirect,
        _ => link.RedirectType,
    };
}
