using System.Runtime.CompilerServices;
using System.Text;

namespace UrlShortener.Core.Links;

/// <summary>
/// A link's UTM tags, merged into its destination at redirect time: they win over the destination's own
/// <c>utm_*</c> parameters and over the visitor's.
/// </summary>
public sealed record UtmTags(string? Source, string? Medium, string? Campaign, string? Term, string? Content)
{
    public const int MaxLength = 200;

    /// <summary>The API's field names and their query parameters, in the order they are written.</summary>
    public static readonly IReadOnlyList<(string Field, string Parameter)> Fields =
    [
        ("source", "utm_source"), ("medium", "utm_medium"), ("campaign", "utm_campaign"), ("term", "utm_term"), ("content", "utm_content"),
    ];

    // The destination with the tags merged in, made once per link (links are immutable; the L1 cache keeps them).
    private static readonly ConditionalWeakTable<ShortLink, string> Tagged = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => Source is null && Medium is null && Campaign is null && Term is null && Content is null;

    public string? this[string field] => field switch
    {
        "source" => Source,
        "medium" => Medium,
        "campaign" => Campaign,
        "term" => Term,
        "content" => Content,
        _ => null,
    };

    /// <summary>These tags with <paramref name="field"/> set to <paramref name="value"/>.</summary>
    public UtmTags With(string field, string? value) => field switch
    {
        "source" => this with { Source = value },
        "medium" => this with { Medium = value },
        "campaign" => this with { Campaign = value },
        "term" => this with { Term = value },
        "content" => this with { Content = value },
        _ => this,
    };

    public static readonly UtmTags None = new(null, null, null, null, null);

    /// <summary>The tags as a query, e.g. <c>utm_source=news&amp;utm_campaign=spring%20sale</c>.</summary>
    public string ToQuery()
    {
        var query = new StringBuilder();
        foreach (var (field, parameter) in Fields)
        {
            if (this[field] is { } value)
            {
                query.Append(query.Length == 0 ? string.Empty : "&").Append(parameter).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return query.ToString();
    }

    /// <summary>Where <paramref name="link"/> sends a visitor who brought <paramref name="visitorQuery"/> (empty when none or not forwarded).</summary>
    public static string Destination(ShortLink link, ReadOnlySpan<char> visitorQuery)
    {
        if (link.Utm is not { } utm)
        {
            return visitorQuery.IsEmpty ? link.Url : QueryForwarding.Merge(link.Url, visitorQuery);
        }

        // The visitor's query first, then the link's tags over it: the link's values win.
        return visitorQuery.IsEmpty
            ? Tagged.GetValue(link, static l => QueryForwarding.Merge(l.Url, l.Utm!.ToQuery()))
            : QueryForwarding.Merge(QueryForwarding.Merge(link.Url, visitorQuery), utm.ToQuery());
    }

    /// <summary>The campaign a visit counts under: the link's, else the visitor's <c>utm_campaign</c>, else none.</summary>
    public static string? CampaignOf(ShortLink link, ReadOnlySpan<char> visitorQuery)
    {
        if (link.Utm?.Campaign is { } campaign)
        {
            return campaign;
        }

        if (visitorQuery.IsEmpty || visitorQuery.IndexOf("utm_campaign=", StringComparison.Ordinal) < 0)
        {
            return null;
        }

        foreach (var pair in visitorQuery.TrimStart('?').ToString().Split('&'))
        {
            if (pair.StartsWith("utm_campaign=", StringComparison.Ordinal))
            {
                string value;
                try
                {
                    value = Uri.UnescapeDataString(pair["utm_campaign=".Length..].Replace('+', ' ')).Trim();
                }
                catch (UriFormatException)
                {
                    return null;
                }

                return value.Length is > 0 and <= MaxLength && !value.Any(char.IsControl) ? value : null;
            }
        }

        return null;
    }
}
