using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace UrlShortener.Web.Endpoints;

/// <summary>Reads a request body as one JSON object, with a size limit and errors that say what is wrong.</summary>
internal static class JsonBody
{
    /// <summary>Two 8 KB URLs and twenty tags fit with room to spare.</summary>
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    /// <returns>The document (the caller disposes it), or the problem to answer.</returns>
    public static Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadObjectAsync(request, MaxBytes, cancellationToken);

    /// <summary>As <see cref="ReadObjectAsync(HttpRequest, CancellationToken)"/>, with a limit of <paramref name="maxBytes"/>.</summary>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType());
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, Problems.BodyTooLarge(maxBytes));
        }

        byte[]? body;
        try
        {
            body = await ReadAtMostAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception)
        {
            // The server refused the body: cut off before its Content-Length, sent too slowly, or too large for it.
            return (null, exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problems.BodyTooLarge(maxBytes)
                : Problems.Invalid("body", "ended before it was complete."));
        }

        if (body is null)
        {
            return (null, Problems.BodyTooLarge(maxBytes));
        }

        if (body.Length == 0)
        {
            return (null, Problems.Invalid("body", "is empty; send a JSON object."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
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

        // The parser leaves strings undecoded: bad UTF-8 or a lone \ud800 would only throw when read.
        if (!AllStringsReadable(document.RootElement))
        {
            document.Dispose();
            return (null, Problems.Invalid("body", "contains a string that is not valid UTF-8 or has an unpaired surrogate escape."));
        }

        return (document, null);
    }

    private static bool AllStringsReadable(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name is null || !AllStringsReadable(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!AllStringsReadable(item))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The whole body in an array of its own size; null as soon as it passes <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            // Nothing consumed, everything examined: wake up when more has arrived.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
