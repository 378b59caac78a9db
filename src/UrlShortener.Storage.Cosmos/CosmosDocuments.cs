using UrlShortener.Core.Links;

namespace UrlShortener.Storage.Cosmos;

/// <summary>A short link in container <c>links</c>; id = code = partition key. Times are Unix milliseconds.</summary>
internal sealed class LinkDocument
{
    public string Id { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
    public string Url { get; set; } = string.Empty;
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public long? MaxClicks { get; set; }
    public int RedirectType { get; set; }
    public string? FallbackUrl { get; set; }
    public bool ForwardQuery { get; set; }
    public List<string> Tags { get; set; } = [];
    public bool IsCustomAlias { get; set; }
    public bool Disabled { get; set; }
    public long? DeletedAt { get; set; }
    public long Revision { get; set; }
    public long? ExhaustedAt { get; set; }
    public string? Title { get; set; }
    public UtmTags? Utm { get; set; }
    public string? PasswordHash { get; set; }

    public static LinkDocument From(ShortLink link) => new()
    {
        Id = link.Code,
        Owner = link.Owner,
        Url = link.Url,
        CreatedAt = link.CreatedAt.ToUnixTimeMilliseconds(),
        UpdatedAt = link.UpdatedAt.ToUnixTimeMilliseconds(),
        ExpiresAt = link.ExpiresAt?.ToUnixTimeMilliseconds(),
        MaxClicks = link.MaxClicks,
        RedirectType = (int)link.RedirectType,
        FallbackUrl = link.FallbackUrl,
        ForwardQuery = link.ForwardQuery,
        Tags = [.. link.Tags],
        IsCustomAlias = link.IsCustomAlias,
        Disabled = link.Disabled,
        DeletedAt = link.DeletedAt?.ToUnixTimeMilliseconds(),
        Revision = link.Revision,
        ExhaustedAt = link.ExhaustedAt?.ToUnixTimeMilliseconds(),
        Title = link.Title,
        Utm = link.Utm,
        PasswordHash = link.PasswordHash,
    };

    public ShortLink ToLink() => new()
    {
        Code = Id,
        Owner = Owner,
        Url = Url,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
        ExpiresAt = ExpiresAt is { } expiresAt ? DateTimeOffset.FromUnixTimeMilliseconds(expiresAt) : null,
        MaxClicks = MaxClicks,
        RedirectType = (RedirectType)RedirectType,
        FallbackUrl = FallbackUrl,
        ForwardQuery = ForwardQuery,
        Tags = Tags,
        IsCustomAlias = IsCustomAlias,
        Disabled = Disabled,
        DeletedAt = DeletedAt is { } deletedAt ? DateTimeOffset.FromUnixTimeMilliseconds(deletedAt) : null,
        Revision = Revision,
        ExhaustedAt = ExhaustedAt is { } exhaustedAt ? DateTimeOffset.FromUnixTimeMilliseconds(exhaustedAt) : null,
        Title = Title,
        Utm = Utm,
        PasswordHash = PasswordHash,
    };
}

/// <summary>One entry of an owner's index in <c>linksByOwner</c>: id = code, bucketed by UTC day.</summary>
internal sealed class OwnerLinkEntry
{
    public string Id { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
    public string Day { get; set; } = string.Empty;
    public long CreatedAt { get; set; }
}

/// <summary>
/// The days on which an owner created links (<c>yyyyMMdd</c> → 1), one document per owner.
/// Its id cannot be a code: '!' is not a code character.
/// </summary>
internal sealed class OwnerDaysDocument
{
    public const string DocumentId = "!days";

    public string Id { get; set; } = DocumentId;
    public string Owner { get; set; } = string.Empty;
    public Dictionary<string, long> Days { get; set; } = [];
}

/// <summary>The key-generation counter in <c>counters</c>: the next counter value not yet handed out.</summary>
internal sealed class CounterDocument
{
    public const string LinksCounterId = "links";

    public string Id { get; set; } = LinksCounterId;
    public long Next { get; set; }
}

/// <summary>An idempotency key in <c>idempotencyKeys</c>: id = a hash of (owner, operation, key); <c>ttl</c> expires it.</summary>
internal sealed class IdempotencyDocument
{
    public string Id { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
    public string Operation { get; set; } = string.Empty;
    public string Fingerprint { get; set; } = string.Empty;

    /// <summary>The running claim's token; null once answered.</summary>
    public string? Token { get; set; }

    public long LockedUntil { get; set; }
    public int? Status { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }

    /// <summary>The answer's body, base64.</summary>
    public string? Body { get; set; }

    /// <summary>Seconds the document lives after its last write (the container's TTL is on).</summary>
    public int Ttl { get; set; }
}
