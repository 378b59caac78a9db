using System.Text.Json;
using System.Text.Json.Serialization;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Core.Clicks;

/// <summary>
/// The body of one queue message: <c>{"clicks":[{"code","ts","ref","browser","os","device","country","bot","n","campaign","qr","visitor"}, …]}</c>.
/// <c>n</c> is how many visits with these facts the entry stands for in the hour of <c>ts</c>; left out when 1.
/// <c>visitor</c> is the visitor's mark for the day (<see cref="VisitorSketch.Mark"/>); one out of range is left out.
/// A bare click object is read too. Reading is tolerant: a click that cannot be read is dropped and
/// counted, the others still count.
/// </summary>
public static class ClickMessage
{
    public static string Serialize(IReadOnlyList<ClickEvent> clicks) =>
        JsonSerializer.Serialize(new ClickBatch(clicks.Select(ClickJson.From).ToList()), ClickJsonContext.Default.ClickBatch);

    /// <returns>The clicks read, and how many could not be read.</returns>
    public static (List<ClickEvent> Clicks, int Unreadable) Parse(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return ([], 1);
        }

        using (document)
        {
            var root = document.RootElement;
            var items = root.ValueKind switch
            {
                JsonValueKind.Object when root.TryGetProperty("clicks", out var array) && array.ValueKind == JsonValueKind.Array => array.EnumerateArray().ToList(),
                JsonValueKind.Object => [root],
                JsonValueKind.Array => root.EnumerateArray().ToList(),
                _ => [],
            };
            if (items.Count == 0)
            {
                return ([], 1);
            }

            var clicks = new List<ClickEvent>(items.Count);
            var unreadable = 0;
            foreach (var item in items)
            {
                try
                {
                    if (item.ValueKind == JsonValueKind.Object && item.Deserialize(ClickJsonContext.Default.ClickJson)?.ToEvent() is { } click)
                    {
                        clicks.Add(click);
                        continue;
                    }
                }
                catch (JsonException)
                {
                    // Counted below.
                }

                unreadable++;
            }

            return (clicks, unreadable);
        }
    }
}

internal sealed record ClickBatch(List<ClickJson> Clicks);

internal sealed record ClickJson(
    string? Code,
    DateTimeOffset? Ts,
    [property: JsonPropertyName("ref")] string? Referrer,
    string? Browser,
    string? Os,
    string? Device,
    string? Country,
    bool? Bot,
    [property: JsonPropertyName("n")] int? Count,
    string? Campaign = null,
    bool? Qr = null,
    int? Visitor = null)
{
    public static ClickJson From(ClickEvent click) =>
        new(click.Code, click.Time, click.ReferrerHost, click.Browser, click.OperatingSystem, click.Device, click.Country, click.IsBot, click.Count == 1 ? null : click.Count, click.Campaign, click.IsQrScan ? true : null, click.Visitor);

    public ClickEvent? ToEvent() => Code is null || Ts is null
        ? null
        : new ClickEvent(
            Code,
            Ts.Value.ToUniversalTime(),
            Referrer,
            Browser ?? Dimensions.Unknown,
            Os ?? Dimensions.Unknown,
            Device ?? Dimensions.Unknown,
            Country,
            Bot ?? false,
            Count ?? 1,
            ClickFacts.CampaignName(Campaign is { Length: <= Links.UtmTags.MaxLength } c && !c.Any(char.IsControl) ? c : null),
            Qr ?? false,
            Visitor is { } mark && VisitorSketch.IsMark(mark) ? mark : null);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClickBatch))]
[JsonSerializable(typeof(ClickJson))]
internal sealed partial class ClickJsonContext : JsonSerializerContext;
