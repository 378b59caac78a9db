using System.Text;
using System.Text.Json;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// Builds the Functions host's invocation envelope for a Service Bus trigger (cardinality many,
/// dataType string) exactly as shared/docs/functions-custom-handler.md §2b describes: Data.clicks
/// is a string holding a JSON array of bodies; Metadata arrays are strings holding JSON arrays.
/// </summary>
public static class HostEnvelope
{
    public static string ServiceBusBatch(params (string MessageId, string Body)[] messages) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["Data"] = new Dictionary<string, object> { ["clicks"] = JsonSerializer.Serialize(messages.Select(m => m.Body)) },
        ["Metadata"] = new Dictionary<string, object>
        {
            ["MessageIdArray"] = JsonSerializer.Serialize(messages.Select(m => m.MessageId)),
            ["DeliveryCountArray"] = JsonSerializer.Serialize(messages.Select(_ => 1)),
            ["sys"] = new Dictionary<string, object> { ["MethodName"] = "ClickAggregator" },
        },
    });

    public static StringContent Content(string envelope)
    {
        var content = new StringContent(envelope, Encoding.UTF8, "application/json");
        content.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        return content;
    }
}
