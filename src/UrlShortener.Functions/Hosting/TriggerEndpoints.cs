using System.Text.Json;
using Microsoft.AspNetCore.Http;
using UrlShortener.Web.Clicks;

namespace UrlShortener.Functions.Hosting;

/// <summary>
/// Functions the host invokes directly (not forwarded HTTP): <c>POST /{FunctionName}</c> with the host's
/// envelope <c>{"Data": …, "Metadata": …}</c>, answered with <c>{"Outputs", "Logs", "ReturnValue"}</c>
/// (shared/docs/functions-custom-handler.md §2). Mapped only under the Functions host.
/// </summary>
public static class TriggerEndpoints
{
    public const string ClickAggregatorFunction = "ClickAggregator";

    public static IEndpointRouteBuilder MapTriggers(this IEndpointRouteBuilder app)
    {
        app.MapPost($"/{ClickAggregatorFunction}", AggregateClicksAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The Service Bus trigger (cardinality many, dataType string): <c>Data.clicks</c> is a string holding a
    /// JSON array of message bodies; <c>Metadata.MessageIdArray</c> a string holding their ids. A message
    /// that cannot be read is dropped (logged); a store failure answers 500 so that the host retries the
    /// batch, which the idempotent stats store counts once.
    /// </summary>
    private static async Task<IResult> AggregateClicksAsync(HttpRequest request, ClickAggregator aggregator, CancellationToken cancellationToken)
    {
        JsonDocument envelope;
        try
        {
            envelope = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return InvocationResult(["The invocation body is not JSON; nothing applied."], StatusCodes.Status400BadRequest);
        }

        using (envelope)
        {
            var bodies = ReadStrings(TriggerValue(envelope.RootElement));
            var ids = ReadStrings(Property(envelope.RootElement, "Metadata", "MessageIdArray"));
            if (ids.Count == 0 && Property(envelope.RootElement, "Metadata", "MessageId") is { } single)
            {
                ids = ReadStrings(single);
            }

            if (bodies.Count == 0)
            {
                return InvocationResult(["No messages in Data; nothing applied."], StatusCodes.Status200OK);
            }

            var logs = new List<string>();
            int counted = 0, dropped = 0;
            for (var i = 0; i < bodies.Count; i++)
            {
                var (c, d) = await aggregator.ApplyAsync(i < ids.Count ? ids[i] : null, bodies[i] ?? string.Empty, cancellationToken);
                counted += c;
                dropped += d;
            }

            logs.Add($"{bodies.Count} messages: {counted} clicks counted, {dropped} dropped.");
            return InvocationResult(logs, StatusCodes.Status200OK);
        }
    }

    // Data holds the trigger binding by its name in function.json ("clicks"); take the only one there is.
    private static JsonElement? TriggerValue(JsonElement root) =>
        Property(root, "Data", "clicks")
        ?? (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.EnumerateObject().Count() == 1 ? data.EnumerateObject().Single().Value : null);

    private static JsonElement? Property(JsonElement root, string section, string name) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty(section, out var s) && s.ValueKind == JsonValueKind.Object
        && s.TryGetProperty(name, out var value) ? value : null;

    /// <summary>
    /// The host JSON-encodes strings and arrays once more (rule 5): a string may hold a JSON array of
    /// strings, or one JSON string; an array may also come as it is. Anything else reads as empty.
    /// </summary>
    private static List<string?> ReadStrings(JsonElement? value)
    {
        switch (value?.ValueKind)
        {
            case JsonValueKind.Array:
                return value.Value.EnumerateArray().Select(Text).ToList();
            case JsonValueKind.String:
                var text = value.Value.GetString()!;
                try
                {
                    using var inner = JsonDocument.Parse(text);
                    return inner.RootElement.ValueKind switch
                    {
                        JsonValueKind.Array => inner.RootElement.EnumerateArray().Select(Text).ToList(),
                        JsonValueKind.String => [inner.RootElement.GetString()],
                        _ => [text],
                    };
                }
                catch (JsonException)
                {
                    return [text];
                }

            default:
                return [];
        }
    }

    private static string? Text(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null => null,
        _ => element.GetRawText(),
    };

    private static IResult InvocationResult(IReadOnlyList<string> logs, int status) =>
        Results.Json(new InvocationResponse(new Dictionary<string, object?>(), logs, null), TriggerJsonContext.Default.InvocationResponse, statusCode: status);
}

/// <summary>The custom-handler response shape (§2d). Never empty: an empty 2xx never completes the invocation.</summary>
public sealed record InvocationResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("Outputs")] Dictionary<string, object?> Outputs,
    [property: System.Text.Json.Serialization.JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: System.Text.Json.Serialization.JsonPropertyName("ReturnValue")] object? ReturnValue);

[System.Text.Json.Serialization.JsonSerializable(typeof(InvocationResponse))]
internal sealed partial class TriggerJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
