using System.Text.Json.Serialization;

namespace UrlShortener.Core.Links;

/// <summary>The HTTP status a short link answers with.</summary>
public enum RedirectType
{
    MovedPermanently = 301,
    Found = 302,
    TemporaryRedirect = 307,
    PermanentRedirect = 308,
}

/// <summary>What a short link is at a given moment.</summary>
public enum LinkState
{
    Active,
    Expired,
    Exhausted,
    Disabled,
    Deleted,
}

/// <summary>A short code and everything it stands for. Immutable: changes make a new revision.</summary>
public sealed record ShortLink
{
    public required string Code { get; init; }
    public required string Owner { get; init; }
    public required string Url { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public long? MaxClicks { get; init; }
    public RedirectType RedirectType { get; init; } = RedirectType.Found;
    public string? FallbackUrl { get; init; }
    public bool ForwardQuery { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>A name for people, e.g. in a dashboard; never shown to visitors.</summary>
    public string? Title { get; init; }

    /// <summary>UTM tags merged into the destination at redirect time; null when none.</summary>
    public UtmTags? Utm { get; init; }

    /// <summary>
    /// The password's PBKDF2 hash (<see cref="LinkPassword"/>), null when the link has none. Never serialized: a
    /// cached copy carries only <see cref="PasswordStamp"/>, which setting this sets.
    /// </summary>
    [JsonIgnore]
    public string? PasswordHash
    {
        get;
        init
        {
            field = value;
            PasswordStamp = value is null ? null : LinkPassword.StampOf(value);
        }
    }

    /// <summary>Changes with the password; unlock cookies are signed over it. Null when the link has no password.</summary>
    public string? PasswordStamp { get; init; }

    [JsonIgnore]
    public bool PasswordProtected => PasswordStamp is not null;

    /// <summary>True when the creator chose the code (a custom alias) rather than the key pool.</summary>
    public bool IsCustomAlias { get; init; }

    public bool Disabled { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>When the counted human clicks reached <see cref="MaxClicks"/>; set by the click aggregator.</summary>
    public DateTimeOffset? ExhaustedAt { get; init; }

    /// <summary>Incremented by every change; stores use it for optimistic concurrency.</summary>
    public long Revision { get; init; }

    public LinkState StateAt(DateTimeOffset now) => this switch
    {
        { DeletedAt: not null } => LinkState.Deleted,
        { Disabled: true } => LinkState.Disabled,
        { ExpiresAt: { } expiresAt } when expiresAt <= now => LinkState.Expired,
        { ExhaustedAt: not null } => LinkState.Exhausted,
        _ => LinkState.Active,
    };
}
