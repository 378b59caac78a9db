using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary>
/// The served OpenAPI document says exactly what the server does: the same routes as the app's
/// endpoints, and every answer to requests made from the document itself (valid, invalid and
/// hostile, with and without keys) has a documented status, media type and shape.
/// </summary>
public abstract class OpenApiContractTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ShortenerApp, new()
{
    private static readonly string[] Methods = ["get", "head", "post", "patch", "delete", "put"];

    [Fact]
    public async Task The_document_lists_exactly_the_apps_routes_with_their_methods()
    {
        var document = await DocumentAsync();
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                documented.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
            }
        }

        // The Functions host's ping (GET /) and the dashboard's static files are kept out of the document on purpose.
        var served = app.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => $"{method} /{endpoint.RoutePattern.RawText!.Trim('/')}"))
            .Where(route => route != "GET /" && !route.Contains(" /dashboard", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(served.Order(), documented.Order());
    }

    [Fact]
    public async Task Every_secured_operation_names_the_api_key_scheme_and_its_401_and_403()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());

        foreach (var (path, method, operation) in Operations(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            Assert.True(operation.TryGetProperty("security", out var security) && security.GetArrayLength() == 1, $"{method} {path}");
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{method} {path}");
            // Any key may ask who it is (GET /api/key): that one answers no 403.
            Assert.True(operation.GetProperty("responses").TryGetProperty("403", out _) == (path != "/api/key"), $"{method} {path}");
            Assert.True(operation.TryGetProperty("operationId", out _), $"{method} {path}");
        }
    }

    [Fact]
    public async Task Request_bodies_require_only_what_the_server_requires_and_refuse_unknown_fields()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        var create = schemas.GetProperty("CreateLinkRequest");
        Assert.Equal(["url"], create.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.False(create.GetProperty("additionalProperties").GetBoolean());
        var update = schemas.GetProperty("UpdateLinkRequest");
        Assert.Equal(0, update.TryGetProperty("required", out var required) ? required.GetArrayLength() : 0);
        Assert.False(update.GetProperty("additionalProperties").GetBoolean());
        Assert.DoesNotContain("\"string\"", create.GetProperty("properties").GetProperty("maxClicks").GetProperty("type").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_number_in_the_document_is_typed_as_a_string_too()
    {
        var text = await app.ClientWith(null).GetStringAsync("/openapi/v1.json");

        Assert.DoesNotContain("^-?(?:0|[1-9]\\\\d*)$", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_create_answer_links_to_the_operations_on_the_new_link()
    {
        var document = await DocumentAsync();
        var operationIds = Operations(document).Select(o => o.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToHashSet();
        var links = document.GetProperty("paths").GetProperty("/api/links").GetProperty("post").GetProperty("responses").GetProperty("201").GetProperty("links");

        foreach (var link in links.EnumerateObject())
        {
            Assert.Contains(link.Value.GetProperty("operationId").GetString(), operationIds);
            Assert.Equal("$response.body#/code", link.Value.GetProperty("parameters").GetProperty("code").GetString());
        }

        Assert.Equal(5, links.EnumerateObject().Count());
    }

    [Fact]
    public async Task Requests_made_from_the_document_get_only_documented_answers()
    {
        var document = await DocumentAsync();
        var random = new Random(20261202);
        var owned = await app.Client().CreateLinkAsync(new { url = "https://example.com/fuzzed", tags = new[] { "a" } });
        var codes = new[] { owned.Code, owned.Code, "nosuchcode", "a", new string('z', 64), "a-b_c", "api", "%F0%9F%98%80", "..%2F" };
        var clients = new[] { app.Client(), app.Client(), app.ClientWith(null), app.ClientWith(Keys.OwnerAReadOnly), app.ClientWith(new TestKey("nobody", "not-a-key-of-anyone")) };
        var failures = new List<string>();
        var requests = 0;

        foreach (var (path, method, operation) in Operations(document))
        {
            for (var i = 0; i < 150; i++)
            {
                using var request = Request(document, path, method, operation, codes[random.Next(codes.Length)], random);
                using var response = await clients[random.Next(clients.Length)].SendAsync(request);
                requests++;
                if (await CheckAsync(document, operation, method, response) is { } failure)
                {
                    failures.Add($"{method.ToUpperInvariant()} {request.RequestUri} {(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync())} → {failure}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {requests} answers contradict the document:\n{string.Join('\n', failures.Distinct().Take(20))}");
    }

    [Fact]
    public async Task An_unauthenticated_create_with_the_wrong_media_type_answers_401_first_where_keys_are_needed()
    {
        using var response = await app.ClientWith(null).PostAsync("/api/links", new FormUrlEncodedContent([new("url", "https://example.com")]));

        if (app.EnvironmentName == "Development")
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "urn:urlshortener:problem:unsupported-media-type");
        }
        else
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "urn:urlshortener:problem:unauthorized");
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await app.ClientWith(null).GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)).Select(o => (path.Name, o.Name, o.Value)));

    private static HttpRequestMessage Request(JsonElement document, string path, string method, JsonElement operation, string code, Random random)
    {
        var query = new List<string>();
        foreach (var parameter in operation.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateArray() : [])
        {
            if (parameter.GetProperty("in").GetString() == "query" && random.Next(3) > 0)
            {
                var value = random.Next(4) == 0 ? Hostile(random) : Sample(document, parameter.GetProperty("schema"), random)?.ToString() ?? string.Empty;
                query.Add($"{parameter.GetProperty("name").GetString()}={Uri.EscapeDataString(value)}");
            }
        }

        var uri = path.Replace("{code}", code, StringComparison.Ordinal) + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty);
        var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), uri);
        if (operation.TryGetProperty("requestBody", out var body))
        {
            var media = body.GetProperty("content").EnumerateObject().ToList();
            var chosen = media[random.Next(media.Count)];
            var json = random.Next(6) switch
            {
                0 => Hostile(random),
                _ => Sample(document, chosen.Value.GetProperty("schema"), random)?.ToJsonString() ?? "null",
            };
            request.Content = new StringContent(json, Encoding.UTF8, random.Next(10) == 0 ? "text/plain" : chosen.Name);
        }

        return request;
    }

    /// <summary>A value the schema allows most of the time, and now and then one it does not.</summary>
    private static JsonNode? Sample(JsonElement document, JsonElement schema, Random random)
    {
        schema = Resolve(document, schema);
        if (random.Next(12) == 0)
        {
            return random.Next(3) switch { 0 => JsonValue.Create(Hostile(random)), 1 => JsonValue.Create(-1), _ => null };
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            var all = values.EnumerateArray().ToList();
            return JsonNode.Parse(all[random.Next(all.Count)].GetRawText());
        }

        var types = schema.TryGetProperty("type", out var type)
            ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!]
            : ["object"];
        switch (types[random.Next(types.Count)])
        {
            case "null":
                return null;
            case "boolean":
                return JsonValue.Create(random.Next(2) == 0);
            case "integer":
                var minimum = schema.TryGetProperty("minimum", out var min) ? min.GetInt64() : -5;
                var maximum = schema.TryGetProperty("maximum", out var max) ? max.GetInt64() : 1000;
                return JsonValue.Create(random.Next(3) == 0 ? maximum : Math.Min(maximum, minimum + random.Next(100)));
            case "array":
                var array = new JsonArray();
                for (var n = random.Next(4); n > 0; n--)
                {
                    array.Add(Sample(document, schema.GetProperty("items"), random));
                }

                return array;
            case "object":
                var result = new JsonObject();
                foreach (var property in schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject() : [])
                {
                    var required = schema.TryGetProperty("required", out var names) && names.EnumerateArray().Any(n => n.GetString() == property.Name);
                    if (required || random.Next(2) == 0)
                    {
                        result[property.Name] = Sample(document, property.Value, random);
                    }
                }

                if (random.Next(15) == 0)
                {
                    result["unknownField"] = 1;
                }

                return result;
            default:
                return JsonValue.Create(SampleString(schema, random));
        }
    }

    private static string SampleString(JsonElement schema, Random random)
    {
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var pattern = schema.TryGetProperty("pattern", out var p) ? p.GetString()! : string.Empty;
        string[] candidates = format switch
        {
            "uri" => ["https://example.com/landing", "http://example.org/a?b=c#d", "https://bücher.example/ü", "http://localhost/loop", "https://[::1]/x"],
            "date-time" => [DateTimeOffset.UtcNow.AddDays(random.Next(1, 400)).ToString("O"), "2020-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
            _ when pattern.StartsWith("^(19", StringComparison.Ordinal) => ["2026-11-21", "2026-11-21T12:00:00Z", DateTimeOffset.UtcNow.AddDays(-random.Next(40)).ToString("yyyy-MM-ddTHH:mm:sszzz"), "1970-01-01", "9998-12-31T23:59:59Z"],
            _ when pattern == "^[A-Za-z0-9_-]+$" => ["abc", "my-alias_" + random.Next(100_000), "x", new string('q', 64), "api"],
            _ => ["tag", " spaced ", "ü", "a", new string('t', 64)],
        };
        return candidates[random.Next(candidates.Length)];
    }

    private static string Hostile(Random random)
    {
        string[] values = ["", "null", "{", "[]", "\"\\ud800\"", "{\"url\":\"\\udfff\"}", "\u0000", "' OR 1=1 --", "<script>", "9999999999999999999999", "-0", "1e309", new string('{', 100), "%", "Em", "AAAA", "0001-01-01T00:30:00Z"];
        return values[random.Next(values.Length)];
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..]);
        }

        return schema;
    }

    /// <returns>What contradicts the document, or null.</returns>
    private static async Task<string?> CheckAsync(JsonElement document, JsonElement operation, string method, HttpResponseMessage response)
    {
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = await response.Content.ReadAsStringAsync();
        if (!operation.GetProperty("responses").TryGetProperty(status, out var documented))
        {
            return $"undocumented {status}: {body}";
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!documented.TryGetProperty("content", out var content))
        {
            return body.Length == 0 ? null : $"{status} has a body the document does not describe: {body}";
        }

        if (method == "head")
        {
            return body.Length == 0 ? null : "HEAD answered a body";
        }

        if (mediaType is null || !content.TryGetProperty(mediaType, out var media))
        {
            return $"{status} answered {mediaType ?? "no media type"}";
        }

        // A CSV, a PNG or an SVG: documented as a string of that media type; it has to be there, its shape is the feature's tests'.
        if (!mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return media.GetProperty("schema").GetProperty("type").GetString() == "string" && body.Length > 0 ? null : $"{status} answered an empty or undescribed {mediaType}";
        }

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return $"{status} answered {mediaType} that is not JSON: {body}";
        }

        foreach (var header in documented.TryGetProperty("headers", out var headers) ? headers.EnumerateObject() : [])
        {
            if (header.Name is "Location" or "Retry-After" && !response.Headers.Contains(header.Name))
            {
                return $"{status} lacks its {header.Name} header";
            }
        }

        return Mismatch(document, media.GetProperty("schema"), json, "$");
    }

    /// <summary>A small JSON Schema check: type, required, properties, items, enum, additionalProperties false.</summary>
    private static string? Mismatch(JsonElement document, JsonElement schema, JsonElement value, string at)
    {
        schema = Resolve(document, schema);
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToList() : [type.GetString()];
            var actual = value.ValueKind switch
            {
                JsonValueKind.Object => "object",
                JsonValueKind.Array => "array",
                JsonValueKind.String => "string",
                JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => "null",
            };
            if (!types.Contains(actual) && !(actual == "integer" && types.Contains("number")))
            {
                return $"{at} is {actual}, not {string.Join('|', types)}";
            }
        }

        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetRawText() == value.GetRawText()))
        {
            return $"{at} = {value.GetRawText()} is not in its enum";
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in schema.TryGetProperty("required", out var required) ? required.EnumerateArray() : [])
            {
                if (!value.TryGetProperty(name.GetString()!, out _))
                {
                    return $"{at} lacks required {name.GetString()}";
                }
            }

            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    if (Mismatch(document, propertySchema, property.Value, $"{at}.{property.Name}") is { } problem)
                    {
                        return problem;
                    }
                }
                else if (schema.TryGetProperty("additionalProperties", out var additional))
                {
                    if (additional.ValueKind == JsonValueKind.False)
                    {
                        return $"{at}.{property.Name} is not in the schema";
                    }

                    if (additional.ValueKind == JsonValueKind.Object && Mismatch(document, additional, property.Value, $"{at}.{property.Name}") is { } problem)
                    {
                        return problem;
                    }
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Mismatch(document, items, item, $"{at}[{index++}]") is { } problem)
                {
                    return problem;
                }
            }
        }

        return null;
    }
}

public sealed class OpenApiContractWithApiKeysTests(ShortenerApp app) : OpenApiContractTests<ShortenerApp>(app);

public sealed class OpenApiContractInOpenModeTests(OpenDevelopmentApp app) : OpenApiContractTests<OpenDevelopmentApp>(app);
