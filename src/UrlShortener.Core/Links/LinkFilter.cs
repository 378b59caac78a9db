namespace UrlShortener.Core.Links;

/// <summary>
/// What a list asks for: <see cref="Query"/> found, ignoring case, in the code, the destination or the title; and
/// <see cref="Tag"/> as one whole tag (tags are told apart ignoring case, as they are stored).
/// </summary>
public sealed record LinkFilter(string? Query, string? Tag)
{
    public const int MaxQueryLength = 200;

    public static readonly LinkFilter None = new(null, null);

    public bool IsEmpty => Query is null && Tag is null;

    public bool Matches(ShortLink link) =>
        (Tag is null || link.Tags.Contains(Tag, StringComparer.OrdinalIgnoreCase))
        && (Query is null
            || link.Code.Contains(Query, StringComparison.OrdinalIgnoreCase)
            || link.Url.Contains(Query, StringComparison.OrdinalIgnoreCase)
            || (link.Title?.Contains(Query, StringComparison.OrdinalIgnoreCase) ?? false));

    /// <summary>The filter of a list request's <c>q</c> and <c>tag</c>; errors name what is wrong.</summary>
    public static LinkFilter Parse(string? query, string? tag, ValidationErrors errors)
    {
        var q = query?.Trim();
        if (q is { Length: > MaxQueryLength } || (q?.Any(char.IsControl) ?? false))
        {
            errors.Add("q", $"must be at most {MaxQueryLength} printable characters.");
        }

        var t = tag?.Trim();
        if (t is { Length: 0 } || t is { Length: > LinkRules.MaxTagLength } || (t?.Any(char.IsControl) ?? false))
        {
            errors.Add("tag", $"must be one tag: 1 to {LinkRules.MaxTagLength} printable characters.");
        }

        return new LinkFilter(string.IsNullOrEmpty(q) ? null : q, string.IsNullOrEmpty(t) ? null : t);
    }
}
