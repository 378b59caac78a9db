namespace UrlShortener.Core.Links;

/// <summary>The checks every field of a link must pass, shared by create and update.</summary>
public static class LinkRules
{
    public const int MaxTags = 20;
    public const int MaxTagLength = 64;
    public const long MaxClicksLimit = 1_000_000_000_000;

    public static string? CheckUrl(string field, string url, RequestContext context, ValidationErrors errors)
    {
        var problem = DestinationUrl.Check(url, context.Own, out var normalized);
        if (problem is not null)
        {
            errors.Add(field, problem);
            return null;
        }

        return normalized;
    }

    public static void CheckExpiry(DateTimeOffset? expiresAt, DateTimeOffset now, ValidationErrors errors)
    {
        if (expiresAt is { } value && value <= now)
        {
            errors.Add("expiresAt", "must be in the future.");
        }
    }

    public static void CheckMaxClicks(long? maxClicks, ValidationErrors errors)
    {
        if (maxClicks is { } value && (value < 1 || value > MaxClicksLimit))
        {
            errors.Add("maxClicks", $"must be a whole number from 1 to {MaxClicksLimit}.");
        }
    }

    public static RedirectType CheckRedirectType(int? value, ValidationErrors errors)
    {
        switch (value)
        {
            case null:
                return RedirectType.Found;
            case 301 or 302 or 307 or 308:
                return (RedirectType)value.Value;
            default:
                errors.Add("redirectType", "must be 301, 302, 307 or 308.");
                return RedirectType.Found;
        }
    }

    /// <summary>Trimmed, distinct (ignoring case) tags in the order given.</summary>
    public static IReadOnlyList<string> CheckTags(IReadOnlyList<string>? tags, ValidationErrors errors)
    {
        if (tags is null || tags.Count == 0)
        {
            return [];
        }

        if (tags.Count > MaxTags)
        {
            errors.Add("tags", $"at most {MaxTags} tags.");
            return [];
        }

        var result = new List<string>(tags.Count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in tags)
        {
            var tag = raw.Trim();
            if (tag.Length == 0 || tag.Length > MaxTagLength || tag.Any(char.IsControl))
            {
                errors.Add("tags", $"each tag must be 1 to {MaxTagLength} printable characters.");
                return [];
            }

            if (seen.Add(tag))
            {
                result.Add(tag);
            }
        }

        return result;
    }
}
