using System.Text.Json;
using System.Text.RegularExpressions;
using UrlShortener.Core.Links;

namespace UrlShortener.Web.Endpoints;

/// <summary>
/// Turns a create or update body into the core's <see cref="LinkDraft"/> or <see cref="LinkChanges"/>,
/// naming every field that has the wrong JSON type. What the values mean is the core's to check.
/// </summary>
internal static partial class LinkRequestParser
{
    /// <summary>The draft, with fields of the wrong type left out and named in <paramref name="errors"/>.</summary>
    public static LinkDraft ParseCreate(JsonElement body, ValidationErrors errors)
    {
        string? url = null;
        var draft = new LinkDraft { Url = string.Empty };
        foreach (var field in body.EnumerateObject())
        {
            switch (field.Name)
            {
                case "url":
                    url = ReadString(field, errors, nullable: false);
                    break;
                case "alias":
                    draft = draft with { Alias = ReadString(field, errors, nullable: true) };
                    break;
                case "expiresAt":
                    draft = draft with { ExpiresAt = ReadTimestamp(field, errors) };
                    break;
                case "maxClicks":
                    draft = draft with { MaxClicks = ReadInteger(field, errors) };
                    break;
                case "redirectType":
                    draft = draft with { RedirectType = ReadRedirectType(field, errors, nullable: true) };
                    break;
                case "fallbackUrl":
                    draft = draft with { FallbackUrl = ReadString(field, errors, nullable: true) };
                    break;
                case "forwardQuery":
                    draft = draft with { ForwardQuery = ReadBoolean(field, errors, nullable: true) };
                    break;
                case "tags":
                    draft = draft with { Tags = ReadStrings(field, errors) };
                    break;
                case "title":
                    draft = draft with { Title = ReadString(field, errors, nullable: true) };
                    break;
                case "utm":
                    draft = draft with { Utm = ReadUtm(field, errors) };
                    break;
                case "password":
                    draft = draft with { Password = ReadString(field, errors, nullable: true) };
                    break;
                default:
                    errors.Add(field.Name, "is not a field of a link.");
                    break;
            }
        }

        if (url is null && !errors.Contains("url"))
        {
            errors.Add("url", "is required.");
        }

        return draft with { Url = url ?? string.Empty };
    }

    public static LinkChanges ParseChanges(JsonElement body, ValidationErrors errors)
    {
        var changes = new LinkChanges();
        foreach (var field in body.EnumerateObject())
        {
            switch (field.Name)
            {
                case "url":
                    changes = changes with { Url = Set(ReadString(field, errors, nullable: false)!) };
                    break;
                case "expiresAt":
                    changes = changes with { ExpiresAt = Set(ReadTimestamp(field, errors)) };
                    break;
                case "maxClicks":
                    changes = changes with { MaxClicks = Set(ReadInteger(field, errors)) };
                    break;
                case "redirectType":
                    changes = changes with { RedirectType = Set(ReadRedirectType(field, errors, nullable: false) ?? 0) };
                    break;
                case "fallbackUrl":
                    changes = changes with { FallbackUrl = Set(ReadString(field, errors, nullable: true)) };
                    break;
                case "forwardQuery":
                    changes = changes with { ForwardQuery = Set(ReadBoolean(field, errors, nullable: false) ?? false) };
                    break;
                case "tags":
                    changes = changes with { Tags = Set<IReadOnlyList<string>>(ReadStrings(field, errors) ?? []) };
                    break;
                case "disabled":
                    changes = changes with { Disabled = Set(ReadBoolean(field, errors, nullable: false) ?? false) };
                    break;
                case "title":
                    changes = changes with { Title = Set(ReadString(field, errors, nullable: true)) };
                    break;
                case "utm":
                    changes = changes with { Utm = Set<IReadOnlyDictionary<string, string?>?>(ReadUtm(field, errors)) };
                    break;
                case "password":
                    changes = changes with { Password = Set(ReadString(field, errors, nullable: true)) };
                    break;
                case "code" or "alias" or "shortUrl" or "createdAt" or "updatedAt" or "passwordProtected":
                    errors.Add(field.Name, "cannot be changed.");
                    break;
                default:
                    errors.Add(field.Name, "is not a field of a link.");
                    break;
            }
        }

        return changes;
    }

    private static FieldChange<T> Set<T>(T value) => FieldChange.To(value);

    private static string? ReadString(JsonProperty field, ValidationErrors errors, bool nullable)
    {
        switch (field.Value.ValueKind)
        {
            case JsonValueKind.String:
                return field.Value.GetString();
            case JsonValueKind.Null when nullable:
                return null;
            default:
                errors.Add(field.Name, nullable ? "must be a string or null." : "must be a string.");
                return null;
        }
    }

    private static DateTimeOffset? ReadTimestamp(JsonProperty field, ValidationErrors errors)
    {
        if (field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (field.Value.ValueKind == JsonValueKind.String
            && field.Value.TryGetDateTimeOffset(out var value)
            && ExplicitOffset().IsMatch(field.Value.GetString()!))
        {
            return value;
        }

        errors.Add(field.Name, "must be an RFC 3339 date-time with a time zone, e.g. 2030-01-31T12:00:00Z, or null.");
        return null;
    }

    private static long? ReadInteger(JsonProperty field, ValidationErrors errors)
    {
        if (field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt64(out var value))
        {
            return value;
        }

        errors.Add(field.Name, "must be a whole number or null.");
        return null;
    }

    private static int? ReadRedirectType(JsonProperty field, ValidationErrors errors, bool nullable)
    {
        if (field.Value.ValueKind == JsonValueKind.Null && nullable)
        {
            return null;
        }

        if (field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt32(out var value))
        {
            return value;
        }

        errors.Add(field.Name, "must be 301, 302, 307 or 308.");
        return null;
    }

    private static bool? ReadBoolean(JsonProperty field, ValidationErrors errors, bool nullable)
    {
        switch (field.Value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null when nullable:
                return null;
            default:
                errors.Add(field.Name, "must be true or false.");
                return null;
        }
    }

    // An object of tags, each a string or null; the core says which names are tags.
    private static Dictionary<string, string?>? ReadUtm(JsonProperty field, ValidationErrors errors)
    {
        if (field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (field.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(field.Name, "must be an object such as {\"source\": \"newsletter\", \"campaign\": \"spring\"}, or null.");
            return null;
        }

        var tags = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in field.Value.EnumerateObject())
        {
            if (tag.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null)
            {
                tags[tag.Name] = tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString() : null;
            }
            else
            {
                errors.Add($"utm.{tag.Name}", "must be a string or null.");
            }
        }

        return tags;
    }

    private static List<string>? ReadStrings(JsonProperty field, ValidationErrors errors)
    {
        if (field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (field.Value.ValueKind == JsonValueKind.Array
            && field.Value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String))
        {
            return field.Value.EnumerateArray().Select(item => item.GetString()!).ToList();
        }

        errors.Add(field.Name, "must be an array of strings or null.");
        return null;
    }

    [GeneratedRegex(@"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExplicitOffset();
}
