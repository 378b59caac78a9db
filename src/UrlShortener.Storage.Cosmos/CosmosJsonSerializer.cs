using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Cosmos;

namespace UrlShortener.Storage.Cosmos;

/// <summary>System.Text.Json for our documents (camelCase, source-generated), instead of the SDK's Newtonsoft default.</summary>
internal sealed class CosmosJsonSerializer : CosmosSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Documents first; anything else the SDK hands us (query parameters, patch values) by reflection.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(CosmosDocumentJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public override T FromStream<T>(Stream stream)
    {
        using (stream)
        {
            if (typeof(Stream).IsAssignableFrom(typeof(T)))
            {
                return (T)(object)stream;
            }

            return JsonSerializer.Deserialize<T>(stream, Options)!;
        }
    }

    public override Stream ToStream<T>(T input)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, input, Options);
        stream.Position = 0;
        return stream;
    }
}

[JsonSerializable(typeof(LinkDocument))]
[JsonSerializable(typeof(OwnerLinkEntry))]
[JsonSerializable(typeof(OwnerDaysDocument))]
[JsonSerializable(typeof(CounterDocument))]
[JsonSerializable(typeof(StatsDayDocument))]
[JsonSerializable(typeof(StatsTotalDocument))]
[JsonSerializable(typeof(NewStatsDayDocument))]
[JsonSerializable(typeof(NewStatsTotalDocument))]
[JsonSerializable(typeof(AppliedPartsDocument))]
[JsonSerializable(typeof(AppliedSlot))]
[JsonSerializable(typeof(IdempotencyDocument))]
[JsonSerializable(typeof(StatsVisitorsDocument))]
internal sealed partial class CosmosDocumentJsonContext : JsonSerializerContext;
