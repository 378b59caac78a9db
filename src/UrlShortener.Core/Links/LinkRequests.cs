namespace UrlShortener.Core.Links;

/// <summary>A value that a change either sets (possibly to null) or leaves alone.</summary>
public readonly record struct FieldChange<T>(bool IsSet, T Value)
{
    public T Or(T current) => IsSet ? Value : current;
}

public static class FieldChange
{
    public static FieldChange<T> To<T>(T value) => new(true, value);
}

/// <summary>What a creator asks for in a new link, before validation.</summary>
public sealed record LinkDraft
{
    public required string Url { get; init; }
    public string? Alias { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public long? MaxClicks { get; init; }
    public int? RedirectType { get; init; }
    public string? FallbackUrl { get; init; }
    public bool? ForwardQuery { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public string? Title { get; init; }

    /// <summary>UTM tags by field name (source, medium, campaign, term, content); a null value sets none.</summary>
    public IReadOnlyDictionary<string, string?>? Utm { get; init; }

    /// <summary>The password visitors must give before the redirect; stored only as its hash.</summary>
    public string? Password { get; init; }
}

/// <summary>A partial change of a link: only what is set changes; null clears an optional field.</summary>
public sealed record LinkChanges
{
    public FieldChange<string> Url { get; init; }
    public FieldChange<DateTimeOffset?> ExpiresAt { get; init; }
    public FieldChange<long?> MaxClicks { get; init; }
    public FieldChange<int> RedirectType { get; init; }
    public FieldChange<string?> FallbackUrl { get; init; }
    public FieldChange<bool> ForwardQuery { get; init; }
    public FieldChange<IReadOnlyList<string>> Tags { get; init; }
    public FieldChange<bool> Disabled { get; init; }
    public FieldChange<string?> Title { get; init; }

    /// <summary>A merge patch of the UTM tags: each field given is set, or cleared by null; null clears them all.</summary>
    public FieldChange<IReadOnlyDictionary<string, string?>?> Utm { get; init; }

    /// <summary>A new password, or null to take the password off.</summary>
    public FieldChange<string?> Password { get; init; }
}

/// <summary>Field errors keyed by the API's field names, in the order found.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public bool Contains(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>Who asks, and which hosts are this shortener (a link to them would loop).</summary>
public sealed record RequestContext(string Owner, OwnHosts Own);
