using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Cosmos;
using UrlShortener.Core.Idempotency;

namespace UrlShortener.Storage.Cosmos;

/// <summary>
/// Idempotency keys in container <c>idempotencyKeys</c>, one document each, expired by Cosmos DB's TTL. A claim
/// is a create (the first request wins the 409 race); taking over a stale claim and settling one are ETag-guarded.
/// </summary>
public sealed class CosmosIdempotencyStore(CosmosDatabase database) : IIdempotencyStore
{
    public Task<IdempotencyClaim> ClaimAsync(IdempotencyScope scope, byte[] fingerprint, DateTimeOffset now, TimeSpan lease, TimeSpan retention, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(ClaimCoreAsync(scope, fingerprint, now, lease, retention, cancellationToken));

    public Task<bool> CompleteAsync(IdempotencyScope scope, string token, IdempotentAnswer answer, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(CompleteCoreAsync(scope, token, answer, cancellationToken));

    public Task ReleaseAsync(IdempotencyScope scope, string token, CancellationToken cancellationToken) =>
        CosmosFailures.Guard(ReleaseCoreAsync(scope, token, cancellationToken));

    private async Task<IdempotencyClaim> ClaimCoreAsync(IdempotencyScope scope, byte[] fingerprint, DateTimeOffset now, TimeSpan lease, TimeSpan retention, CancellationToken cancellationToken)
    {
        var id = DocumentId(scope);
        var container = database.IdempotencyKeys;
        var token = Guid.NewGuid().ToString("N");
        var claim = new IdempotencyDocument
        {
            Id = id,
            Owner = scope.Owner,
            Operation = scope.Operation,
            Fingerprint = Convert.ToBase64String(fingerprint),
            Token = token,
            LockedUntil = (now + lease).ToUnixTimeMilliseconds(),
            Ttl = (int)Math.Ceiling(retention.TotalSeconds),
        };

        // A few rounds: a stale claim can be taken over, or released, between our read and our write.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await database.TryCreateAsync(container, claim, new PartitionKey(id), cancellationToken).ConfigureAwait(false))
            {
                return new IdempotencyClaim.Claimed(token);
            }

            if (await database.FindAsync<IdempotencyDocument>(container, id, new PartitionKey(id), cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                continue;
            }

            var (document, etag) = stored;
            if (document.Fingerprint != claim.Fingerprint || document.Owner != scope.Owner || document.Operation != scope.Operation)
            {
                return new IdempotencyClaim.Mismatch();
            }

            if (document.Status is { } status)
            {
                return new IdempotencyClaim.Replay(new IdempotentAnswer(
                    status, document.ContentType, document.Location, document.Body is { } body ? Convert.FromBase64String(body) : []));
            }

            if (document.LockedUntil > now.ToUnixTimeMilliseconds())
            {
                return new IdempotencyClaim.InProgress();
            }

            using var replaced = await container.ReplaceItemStreamAsync(
                database.ToStream(claim), id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken).ConfigureAwait(false);
            if (replaced.IsSuccessStatusCode)
            {
                return new IdempotencyClaim.Claimed(token);
            }

            if (replaced.StatusCode is not (HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound))
            {
                replaced.EnsureSuccessStatusCode();
            }
        }

        // Claims kept changing under us: another request is at work on this key.
        return new IdempotencyClaim.InProgress();
    }

    private async Task<bool> CompleteCoreAsync(IdempotencyScope scope, string token, IdempotentAnswer answer, CancellationToken cancellationToken)
    {
        var id = DocumentId(scope);
        if (await database.FindAsync<IdempotencyDocument>(database.IdempotencyKeys, id, new PartitionKey(id), cancellationToken).ConfigureAwait(false) is not { } stored
            || stored.Document.Token != token)
        {
            return false;
        }

        var document = stored.Document;
        document.Token = null;
        document.Status = answer.Status;
        document.ContentType = answer.ContentType;
        document.Location = answer.Location;
        document.Body = Convert.ToBase64String(answer.Body);
        using var replaced = await database.IdempotencyKeys.ReplaceItemStreamAsync(
            database.ToStream(document), id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = stored.ETag }, cancellationToken).ConfigureAwait(false);
        if (replaced.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }

        replaced.EnsureSuccessStatusCode();
        return true;
    }

    private async Task ReleaseCoreAsync(IdempotencyScope scope, string token, CancellationToken cancellationToken)
    {
        var id = DocumentId(scope);
        if (await database.FindAsync<IdempotencyDocument>(database.IdempotencyKeys, id, new PartitionKey(id), cancellationToken).ConfigureAwait(false) is not { } stored
            || stored.Document.Token != token || stored.Document.Status is not null)
        {
            return;
        }

        using var deleted = await database.IdempotencyKeys.DeleteItemStreamAsync(
            id, new PartitionKey(id), new ItemRequestOptions { IfMatchEtag = stored.ETag }, cancellationToken).ConfigureAwait(false);
        if (deleted.StatusCode is not (HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound))
        {
            deleted.EnsureSuccessStatusCode();
        }
    }

    // Keys may hold any visible character, and ids may not hold '/', '\', '?' or '#': the id is a hash of the scope.
    private static string DocumentId(IdempotencyScope scope) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{scope.Owner}\n{scope.Operation}\n{scope.Key}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
