using System.Text.Json;
using System.Text.Json.Serialization;
using UrlShortener.Core.Links;

namespace UrlShortener.Web.Endpoints;

/// <summary>A short link as the API shows it.</summary>
public sealed record LinkResponse(
    string Code,
    string ShortUrl,
    string Url,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt,
    long? MaxClicks,
    int RedirectType,
    string? FallbackUrl,
    bool ForwardQuery,
    IReadOnlyList<string> Tags,
    bool Disabled,
    DateTimeOffset? ExhaustedAt,
    string? Title,
    UtmResponse? Utm,
    bool PasswordProtected)
{
    public static LinkResponse From(ShortLink link, string shortUrl) => new(
        link.Code,
        shortUrl,
        link.Url,
        link.CreatedAt,
        link.UpdatedAt,
        link.ExpiresAt,
        link.MaxClicks,
        (int)link.RedirectType,
        link.FallbackUrl,
        link.ForwardQuery,
        link.Tags,
        link.Disabled,
        link.ExhaustedAt,
        link.Title,
        link.Utm is { } utm ? new UtmResponse(utm.Source, utm.Medium, utm.Campaign, utm.Term, utm.Content) : null,
        link.PasswordProtected);
}

/// <summary>A link's UTM tags, as merged into its destination at redirect time.</summary>
public sealed record UtmResponse(string? Source, string? Medium, string? Campaign, string? Term, string? Content);

/// <summary>One page of an owner's links, newest first; pass <c>nextCursor</c> back as <c>cursor</c> for the next.</summary>
public sealed record LinkListResponse(IReadOnlyList<LinkResponse> Items, string? NextCursor);

/// <summary>The body of <c>POST /api/links</c> (for the OpenAPI document; the handler reads the JSON itself).</summary>
public sealed record CreateLinkRequest(
    string Url,
    string? Alias,
    DateTimeOffset? ExpiresAt,
    long? MaxClicks,
    int? RedirectType,
    string? FallbackUrl,
    bool? ForwardQuery,
    IReadOnlyList<string>? Tags,
    string? Title,
    UtmResponse? Utm,
    [property: System.ComponentModel.Description("Visitors must give it before the redirect. Stored only as a PBKDF2 hash; not in bulk creates.")] string? Password);

/// <summary>The body of <c>PATCH /api/links/{code}</c>: fields left out stay as they are; null clears.</summary>
public sealed record UpdateLinkRequest(
    string? Url,
    DateTimeOffset? ExpiresAt,
    long? MaxClicks,
    int? RedirectType,
    string? FallbackUrl,
    bool? ForwardQuery,
    IReadOnlyList<string>? Tags,
    bool? Disabled,
    string? Title,
    UtmResponse? Utm,
    [property: System.ComponentModel.Description("A new password, or null to take the password off.")] string? Password);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LinkResponse))]
[JsonSerializable(typeof(LinkListResponse))]
[JsonSerializable(typeof(CreateLinkRequest))]
[JsonSerializable(typeof(UpdateLinkRequest))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(BulkCreateResponse))]
[JsonSerializable(typeof(ApiKeyResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
