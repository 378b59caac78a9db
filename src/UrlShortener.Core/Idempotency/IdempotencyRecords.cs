namespace UrlShortener.Core.Idempotency;

/// <summary>Where an Idempotency-Key lives: an owner's key for one operation (creating a link, a bulk create).</summary>
public sealed record IdempotencyScope(string Owner, string Operation, string Key)
{
    /// <summary>Longest key accepted (the draft leaves it to the server; a UUID is 36).</summary>
    public const int MaxKeyLength = 255;
}

/// <summary>The first answer to a request with a key, as it is given again: status, media type, Location and body.</summary>
public sealed record IdempotentAnswer(int Status, string? ContentType, string? Location, byte[] Body);

/// <summary>What a request with a key finds.</summary>
public abstract record IdempotencyClaim
{
    private IdempotencyClaim()
    {
    }

    /// <summary>No answer yet: this request runs, and settles the claim with <paramref name="Token"/>.</summary>
    public sealed record Claimed(string Token) : IdempotencyClaim;

    /// <summary>An earlier request with the key is still running.</summary>
    public sealed record InProgress : IdempotencyClaim;

    /// <summary>The key was used with a different request body.</summary>
    public sealed record Mismatch : IdempotencyClaim;

    /// <summary>The key was used with this body: its answer, to give again.</summary>
    public sealed record Replay(IdempotentAnswer Answer) : IdempotencyClaim;
}

/// <summary>Idempotency keys, durable in the store that holds the links, each kept for the retention it was claimed with.</summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Claims <paramref name="scope"/> for a request whose body hashes to <paramref name="fingerprint"/>; a claim not
    /// settled within <paramref name="lease"/> (its process died) may be taken over by the next request.
    /// </summary>
    Task<IdempotencyClaim> ClaimAsync(IdempotencyScope scope, byte[] fingerprint, DateTimeOffset now, TimeSpan lease, TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>Stores the answer of the claim <paramref name="token"/>; false when the claim was taken over meanwhile.</summary>
    Task<bool> CompleteAsync(IdempotencyScope scope, string token, IdempotentAnswer answer, CancellationToken cancellationToken);

    /// <summary>Gives up the claim <paramref name="token"/> (the request failed and may be sent again).</summary>
    Task ReleaseAsync(IdempotencyScope scope, string token, CancellationToken cancellationToken);
}
