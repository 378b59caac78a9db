namespace UrlShortener.Core.Links;

/// <summary>The checks every field of a link must pass, shared by create and update.</summary>
public static class LinkRules
{
    public const int MaxTags = 20;
    public const int MaxTagLength = 64;
    public const int MaxTitleLength = 200;
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
    /// <summary>The title trimmed, null when empty; an error for one too long or holding control characters.</summary>
    public static string? CheckTitle(string? title, ValidationErrors errors)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > MaxTitleLength || trimmed.Any(char.IsControl))
        {
            errors.Add("title", $"must be at most {MaxTitleLength} printable characters.");
            return null;
        }

        return trimmed;
    }

    /// <summary>
    /// <paramref name="current"/> with <paramref name="changes"/> merged in (each value trimmed; empty or null clears
    /// it); null when no tag is left. Errors name the field, e.g. <c>utm.campaign</c>.
    /// </summary>
    public static UtmTags? CheckUtm(UtmTags? current, IReadOnlyDictionary<string, string?>? changes, ValidationErrors errors)
    {
        var utm = current ?? UtmTags.None;
        foreach (var (field, raw) in changes ?? new Dictionary<string, string?>())
        {
            if (!UtmTags.Fields.Any(f => f.Field == field))
            {
                errors.Add($"utm.{field}", "is not a UTM tag; use source, medium, campaign, term or content.");
                continue;
            }

            var value = raw?.Trim();
            if (value is { Length: > UtmTags.MaxLength } || (value?.Any(char.IsControl) ?? false))
            {
                errors.Add($"utm.{field}", $"must be at most {UtmTags.MaxLength} printable characters.");
                continue;
            }

            utm = utm.With(field, string.IsNullOrEmpty(value) ? null : value);
        }

        return utm.IsEmpty ? null : utm;
    }

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
