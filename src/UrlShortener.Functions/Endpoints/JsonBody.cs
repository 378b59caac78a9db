using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace UrlShortener.Functions.Endpoints;

/// <summary>Reads a request body as one JSON object, with a size limit and errors that say what is wrong.</summary>
internal static class JsonBody
{
    /// <summary>Two 8 KB URLs and twenty tags fit with room to spare.</summary>
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    /// <returns>The document (the caller disposes it), or the problem to answer.</returns>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType());
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, Problems.BodyTooLarge(MaxBytes));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length > MaxBytes)
                {
                    return (null, Problems.BodyTooLarge(MaxBytes));
                }
            }

            if (length == 0)
            {
                return (null, Problems.Invalid("body", "is empty; send a JSON object."));
            }

            JsonDocument document;
            try
            {
                // The document keeps a reference to its input: give it a copy so that the pooled buffer can go back.
                document = JsonDocument.Parse(buffer.AsMemory(0, length).ToArray(), DocumentOptions);
            }
            catch (JsonException exception)
            {
                return (null, Problems.Invalid("body", $"is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})."));
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, Problems.Invalid("body", "must be a JSON object."));
            }

            return (document, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
