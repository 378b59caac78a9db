using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using UrlShortener.Core.Idempotency;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Endpoints;

namespace UrlShortener.Web.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on an endpoint that creates: the first answer to a key (status, media type, Location,
/// body) is stored with the key, scoped to the owner and the endpoint, for <see cref="Retention"/>. The same key
/// with the same body gets that answer again, marked <c>Idempotent-Replayed: true</c>; with another body 422; while
/// the first request still runs 409 with Retry-After. A 5xx is not kept: the client may send the request again.
/// </summary>
public sealed class IdempotentRequests(IIdempotencyStore keys, TimeProvider clock) : IEndpointFilter
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Marks the endpoint (a single create) for the OpenAPI document: it takes the header and may answer 409 and 422 for it.</summary>
    public static readonly AcceptsIdempotencyKey Metadata = For(JsonBody.MaxBytes);

    /// <summary>The mark of an endpoint whose bodies may be up to <paramref name="maxBodyBytes"/>.</summary>
    public static AcceptsIdempotencyKey For(int maxBodyBytes) => new(maxBodyBytes);

    // Longer than any request may take (the store deadline is seconds): a claim older than this was left by a process that died.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader.Name, out var values))
        {
            return await next(context).ConfigureAwait(false);
        }

        if (values.Count != 1 || !IdempotencyKeyHeader.TryParse(values[0], out var key))
        {
            return Problems.Invalid(IdempotencyKeyHeader.Name, IdempotencyKeyHeader.Rule);
        }

        // A body over the endpoint's limit is refused by the endpoint itself, and that refusal is not kept.
        var maxBytes = http.GetEndpoint()?.Metadata.GetMetadata<AcceptsIdempotencyKey>()?.MaxBodyBytes ?? JsonBody.MaxBytes;
        var body = await ReadBodyAsync(request, maxBytes, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return await next(context).ConfigureAwait(false);
        }

        var endpointName = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? request.Path.Value ?? "/";
        var scope = new IdempotencyScope(http.User.Owner(), endpointName, key);
        var claim = await keys.ClaimAsync(scope, SHA256.HashData(body), clock.GetUtcNow(), Lease, Retention, http.RequestAborted).ConfigureAwait(false);
        switch (claim)
        {
            case IdempotencyClaim.Replay replay:
                return new StoredAnswer(replay.Answer);
            case IdempotencyClaim.Mismatch:
                return Problems.IdempotencyKeyReused();
            case IdempotencyClaim.InProgress:
                http.Response.Headers.RetryAfter = "1";
                return Problems.IdempotencyKeyInUse();
        }

        var token = ((IdempotencyClaim.Claimed)claim).Token;
        IdempotentAnswer answer;
        try
        {
            answer = await RunAsync(context, next).ConfigureAwait(false);
        }
        catch
        {
            await keys.ReleaseAsync(scope, token, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (answer.Status >= StatusCodes.Status500InternalServerError)
        {
            await keys.ReleaseAsync(scope, token, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await keys.CompleteAsync(scope, token, answer, CancellationToken.None).ConfigureAwait(false);
        }

        return new StoredAnswer(answer, replayed: false);
    }

    // Runs the endpoint and writes its result into memory, so that the answer can be kept before it is sent.
    private static async Task<IdempotentAnswer> RunAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context).ConfigureAwait(false);
        if (result is not IResult executable)
        {
            throw new InvalidOperationException($"An idempotent endpoint must answer with an IResult, not {result?.GetType().Name ?? "null"}.");
        }

        var response = context.HttpContext.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await executable.ExecuteAsync(context.HttpContext).ConfigureAwait(false);
        }
        finally
        {
            response.Body = original;
        }

        var location = response.Headers.Location.ToString();
        return new IdempotentAnswer(response.StatusCode, response.ContentType, location.Length == 0 ? null : location, buffer.ToArray());
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        request.EnableBuffering(Math.Min(maxBytes + 1, 64 * 1024));
        using var copy = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            copy.Write(chunk, 0, read);
            if (copy.Length > maxBytes)
            {
                request.Body.Position = 0;
                return null;
            }
        }

        request.Body.Position = 0;
        return copy.ToArray();
    }

    public sealed class AcceptsIdempotencyKey
    {
        internal AcceptsIdempotencyKey(int maxBodyBytes) => MaxBodyBytes = maxBodyBytes;

        /// <summary>The endpoint's own body limit: a longer body is refused by the endpoint, and the refusal is not kept.</summary>
        public int MaxBodyBytes { get; }
    }

    /// <summary>A kept answer, written as it was first given.</summary>
    private sealed class StoredAnswer(IdempotentAnswer answer, bool replayed = true) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => answer.Status;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = answer.Status;
            response.ContentType = answer.ContentType;
            if (answer.Location is { } location)
            {
                response.Headers.Location = location;
            }

            if (replayed)
            {
                response.Headers[IdempotencyKeyHeader.ReplayedHeader] = "true";
            }

            response.ContentLength = answer.Body.Length;
            await response.Body.WriteAsync(answer.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
