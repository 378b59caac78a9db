namespace UrlShortener.Core.Links;

/// <summary>Where short links live. One adapter per backend (SQLite, Cosmos DB).</summary>
public interface ILinkStore
{
    /// <summary>Stores a new link; false when its code is already taken (by any owner, deleted or not).</summary>
    Task<bool> TryCreateAsync(ShortLink link, CancellationToken cancellationToken);

    /// <summary>How many links one <see cref="TryCreateManyAsync"/> takes at most: a call of that size ends well within the store deadline.</summary>
    int CreateManyBatchSize { get; }

    /// <summary>Stores new links at once (a bulk create); for each, in order, false when its code was taken.</summary>
    Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<ShortLink> links, CancellationToken cancellationToken);

    /// <summary>The link with this code, deleted ones included; null when the code was never used.</summary>
    Task<ShortLink?> FindAsync(string code, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces <paramref name="current"/> with <paramref name="updated"/> if the stored link is still at
    /// <paramref name="current"/>'s revision; false when someone else changed it first.
    /// </summary>
    Task<bool> TryReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken);

    /// <summary>An owner's links that are not deleted, newest first, strictly after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<ShortLink>> ListByOwnerAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken);
}

/// <summary>Told when a link changes, so that caches in front of the store drop it at once.</summary>
public interface ILinkCacheInvalidator
{
    ValueTask InvalidateAsync(string code, CancellationToken cancellationToken);
}
