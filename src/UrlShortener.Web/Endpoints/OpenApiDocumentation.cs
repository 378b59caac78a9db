using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Links;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Idempotency;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Endpoints;

/// <summary>The request body an endpoint reads itself (so no binding metadata can refuse it before authentication).</summary>
/// <param name="Schema">The name of its schema in <see cref="OpenApiDocumentation"/>.</param>
/// <param name="ContentTypes">The media types it accepts.</param>
public sealed record JsonRequestBody(string Schema, params string[] ContentTypes);

/// <summary>
/// Makes the generated OpenAPI document say exactly what the server does: the API-key scheme on
/// every secured operation with its 401 and 403, the exact request bodies (only <c>url</c> required,
/// real types, no unknown fields), typed query parameters, Location and Retry-After headers,
/// bodiless HEAD answers, operation links from a created link to what can be done with it, and the
/// routes the generator cannot see (health and the document itself).
/// </summary>
public static class OpenApiDocumentation
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string CreateLinkSchema = "CreateLinkRequest";
    public const string UpdateLinkSchema = "UpdateLinkRequest";
    public const string BulkCreateSchema = "BulkCreateRequest";
    private const string ApiKeyScheme = "ApiKey";
    private const string ProblemSchema = "Problem";
    private const string ValidationProblemSchema = "ValidationProblem";

    // Years the stats range accepts (StatsQuery.Earliest up to StatsQuery.Latest), as RFC 3339 text.
    private const string StatsTimePattern =
        @"^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$";

    // A tag: printable, with something besides white space.
    private const string TagPattern = @"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            // The public base URL, never the Host header a request happened to send.
            if (context.ApplicationServices.GetRequiredService<IOptions<ShortenerOptions>>().Value.BaseUrl is { Length: > 0 } baseUrl)
            {
                document.Servers = [new OpenApiServer { Url = baseUrl.TrimEnd('/') }];
            }

            DescribeDocument(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            DescribeOperation(operation, context);
            return Task.CompletedTask;
        });
    }

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "UrlShortener",
            Version = "v1",
            Description = "Short links with redirects, a REST API for their creators and hourly click stats. Errors are RFC 9457 problem details with a stable type per kind.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key; its scopes (links:write, links:read, stats:read) decide what it may do.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var schemas = document.Components.Schemas;
        schemas[CreateLinkSchema] = LinkBody(create: true);
        schemas[UpdateLinkSchema] = LinkBody(create: false);
        schemas[BulkCreateSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "links" },
            AdditionalPropertiesAllowed = false,
            Description = $"Up to {BulkLinkEndpoints.MaxLinks} links, each as POST /api/links takes it; at most {BulkLinkEndpoints.MaxBytes / (1024 * 1024)} MB in all.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["links"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MinItems = 1,
                    MaxItems = BulkLinkEndpoints.MaxLinks,
                    Items = new OpenApiSchemaReference(CreateLinkSchema, document),
                },
            },
        };
        schemas[ProblemSchema] = Problem(validation: false);
        schemas[ValidationProblemSchema] = Problem(validation: true);
        schemas.Remove("ProblemDetails");
        schemas.Remove("HttpValidationProblemDetails");
        ReplaceProblemReferences(document);

        document.Paths ??= new OpenApiPaths();
        document.Paths["/healthz"] = HealthPath("healthz", "Liveness: the process answers.", withFailure: false);
        document.Paths["/readyz"] = HealthPath("readyz", "Readiness: every configured backend answers within its deadline.", withFailure: true);
        document.Paths[DocumentPath] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "getOpenApiDocument",
                    Tags = new HashSet<OpenApiTagReference> { new("Health", document) },
                    Summary = "This document.",
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse
                        {
                            Description = "The OpenAPI document.",
                            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } } },
                        },
                    },
                },
            },
        };
        AddLinks(document);
    }

    private static void DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        var method = context.Description.HttpMethod ?? "GET";
        operation.Responses ??= new OpenApiResponses();

        if (metadata.OfType<IAuthorizeData>().FirstOrDefault() is { Policy: { } scope })
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] }];
            operation.Responses["401"] = ProblemResponse(document, "No API key, or an unknown one.", header: ("WWW-Authenticate", "The scheme to authenticate with."));
            if (scope == Scopes.AnyKey)
            {
                operation.Description = "Needs an API key, with any scopes.";
            }
            else
            {
                operation.Responses["403"] = ProblemResponse(document, $"The API key lacks the {scope} scope.");
                operation.Description = $"Needs an API key with the {scope} scope.";
            }
        }

        var limit = metadata.OfType<ApiRateLimit>().FirstOrDefault();
        if (limit is not null)
        {
            operation.Responses["429"] = ProblemResponse(document, $"Over the API key's quota for {limit.Policy}: wait Retry-After seconds.", header: ("Retry-After", "Seconds until the request is allowed again."));
            operation.Description += $" Counted against the key's {limit.Policy} quota.";
        }

        if (metadata.OfType<IdempotentRequests.AcceptsIdempotencyKey>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKeyHeader.Name,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Makes a retry safe (draft-ietf-httpapi-idempotency-key-header): the same key with the same body within 24 hours gets the first answer again, marked Idempotent-Replayed: true.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 257, Description = "A structured-field string such as \"8e03978e-40d5-43e8-bc93-6894a57f9324\", or the same without quotes." },
            });
            operation.Responses["409"] = ProblemResponse(document, "The alias is taken, or a request with this Idempotency-Key is still running (idempotency-key-in-use, with a Retry-After header: seconds to wait before sending it again).");
            operation.Responses["422"] = ProblemResponse(document, "This Idempotency-Key was used with a different body.");
        }

        if (metadata.OfType<JsonRequestBody>().FirstOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = body.ContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = new OpenApiSchemaReference(body.Schema, document) }),
            };
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            if (status is "201" or "301" or "302" or "307" or "308")
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["Location"] = Header(status == "201" ? "The new link's address in this API." : "Where the short link leads.", format: "uri");
            }

            if (status is "503" or "429")
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["Retry-After"] = Header("Seconds to wait before trying again.", type: JsonSchemaType.Integer);
            }

            if (limit is not null && status is not ("401" or "403"))
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[ApiRateLimits.PolicyHeader] = Header("The key's quota (draft-ietf-httpapi-ratelimit-headers), e.g. \"writes\";q=120;w=60: q requests per w seconds.");
                concrete.Headers[ApiRateLimits.StateHeader] = Header("What is left of it, e.g. \"writes\";r=119;t=1: r more requests now, all of the quota back in t seconds.");
            }

            if (status is "200" or "304" && context.Description.RelativePath?.EndsWith("/qr", StringComparison.Ordinal) == true)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["ETag"] = Header("The image's tag: send it back in If-None-Match for a 304.");
                concrete.Headers["Cache-Control"] = Header("private, max-age=86400.");
                concrete.Content = status == "304"
                    ? null
                    : new Dictionary<string, OpenApiMediaType>
                    {
                        ["image/png"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "format=png (the default)." } },
                        ["image/svg+xml"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "format=svg." } },
                    };
            }

            if (status == "200" && metadata.OfType<CsvExport>().Any())
            {
                concrete.Content ??= new Dictionary<string, OpenApiMediaType>();
                concrete.Content[StatsCsv.MediaType] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "RFC 4180 CSV with a header row: section,name,clicks. Sections: series (name = the hour or day it starts), total, botClicks, then one per breakdown." },
                };
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["Content-Disposition"] = Header("With CSV: attachment, and the file's name (the code and the range).");
            }

            if (status == "201" && metadata.OfType<IdempotentRequests.AcceptsIdempotencyKey>().Any())
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[IdempotencyKeyHeader.ReplayedHeader] = Header("true when this is the kept answer to an Idempotency-Key seen before.");
            }

            if (method == "HEAD")
            {
                concrete.Content = null;
            }
        }

        if (operation.Parameters is { } parameters)
        {
            foreach (var parameter in parameters.OfType<OpenApiParameter>())
            {
                DescribeParameter(parameter, context.Description.RelativePath ?? string.Empty);
            }
        }
    }

    private static void DescribeParameter(OpenApiParameter parameter, string path)
    {
        switch (parameter.Name)
        {
            case "code":
                parameter.Description = "The short code or alias.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = ShortCode.MaxAliasLength, Pattern = "^[A-Za-z0-9_-]+$" };
                break;
            case "limit":
                parameter.Description = "Links per page.";
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Minimum = "1",
                    Maximum = LinkService.MaxPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Default = JsonValue.Create(LinkService.DefaultPageSize),
                };
                break;
            case "cursor":
                parameter.Description = "The nextCursor of the previous page, unchanged.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 12, MaxLength = 200, Pattern = "^[A-Za-z0-9_-]+$" };
                break;
            case "from" or "to":
                parameter.Description = parameter.Name == "from"
                    ? "Start of the range (inclusive), rounded down to the granularity. Default: 24 hours (hour) or 30 days (day) before to."
                    : "End of the range (exclusive), rounded up to the granularity. Default: now. Later than from; at most 31 days by hour, 400 by day.";
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Pattern = StatsTimePattern,
                    Description = $"An RFC 3339 date-time with a time zone, or a date; from {StatsQuery.Earliest:yyyy-MM-dd} up to {StatsQuery.Latest:yyyy-MM-dd}.",
                };
                break;
            case "granularity":
                parameter.Description = "Series step.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("hour"), JsonValue.Create("day")], Default = JsonValue.Create("hour") };
                break;
            case IdempotencyKeyHeader.Name:
                break;
            case "q":
                parameter.Description = "Text to find, ignoring case, in the code, the destination or the title.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = LinkFilter.MaxQueryLength, Pattern = @"^[^\u0000-\u001f\u007f-\u009f]*$" };
                break;
            case "tag":
                parameter.Description = "Only links with this tag (a whole tag, ignoring case).";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = LinkRules.MaxTagLength, Pattern = TagPattern };
                break;
            case "format" when path.EndsWith("/qr", StringComparison.Ordinal):
                parameter.Description = "png (the default) or svg.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("png"), JsonValue.Create("svg")], Default = JsonValue.Create("png") };
                break;
            case "size":
                parameter.Description = "The image's largest width and height in pixels: a whole number of pixels per module fits in it.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = QrCodeEndpoints.MinSize.ToString(System.Globalization.CultureInfo.InvariantCulture), Maximum = QrCodeEndpoints.MaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = JsonValue.Create(QrCodeEndpoints.DefaultSize) };
                break;
            case "margin":
                parameter.Description = "The quiet zone around the code, in modules (scanners want 4).";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Maximum = QrCodeEndpoints.MaxMargin.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = JsonValue.Create(QrCodeEndpoints.DefaultMargin) };
                break;
            case "ecc":
                parameter.Description = "Error correction: how much of the code may be damaged and still read (L 7 %, M 15 %, Q 25 %, H 30 %).";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("L"), JsonValue.Create("M"), JsonValue.Create("Q"), JsonValue.Create("H")], Default = JsonValue.Create("M") };
                break;
            case "format":
                parameter.Description = "json (the default) or csv; without it, Accept: text/csv asks for CSV.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("json"), JsonValue.Create("csv")] };
                break;
            default:
                throw new InvalidOperationException($"Parameter '{parameter.Name}' of {path} has no description in the OpenAPI document.");
        }
    }

    private static OpenApiSchema LinkBody(bool create)
    {
        static OpenApiSchema Text(string description, bool nullable, int? maxLength = null) => new()
        {
            Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String,
            MinLength = 1,
            MaxLength = maxLength,
            Description = description,
        };

        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["url"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "uri",
                MinLength = 1,
                MaxLength = DestinationUrl.MaxLength,
                Pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s@/?#]+([/?#]\\S*)?$",
                Description = "Where the link leads: an absolute http or https URL, not on this shortener.",
            },
            ["expiresAt"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Format = "date-time",
                Description = "When the link stops working (410); in the future, with a time zone. Null: never.",
            },
            ["maxClicks"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer | JsonSchemaType.Null,
                Format = "int64",
                Minimum = "1",
                Maximum = LinkRules.MaxClicksLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Description = "After this many counted human clicks the link answers 410. Null: no cap.",
            },
            ["redirectType"] = new OpenApiSchema
            {
                Type = create ? JsonSchemaType.Integer | JsonSchemaType.Null : JsonSchemaType.Integer,
                Enum = [JsonValue.Create(301), JsonValue.Create(302), JsonValue.Create(307), JsonValue.Create(308)],
                Description = "The redirect's status. Default: 302.",
            },
            ["fallbackUrl"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Format = "uri",
                MinLength = 1,
                MaxLength = DestinationUrl.MaxLength,
                Description = "Where an expired, exhausted or disabled link sends visitors instead of answering 410.",
            },
            ["forwardQuery"] = new OpenApiSchema
            {
                Type = create ? JsonSchemaType.Boolean | JsonSchemaType.Null : JsonSchemaType.Boolean,
                Description = "Merge the visitor's query into the destination's. Default: false.",
            },
            ["tags"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array | JsonSchemaType.Null,
                MaxItems = LinkRules.MaxTags,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = LinkRules.MaxTagLength, Pattern = TagPattern },
                Description = "Labels for the creator; trimmed, duplicates (ignoring case) dropped.",
            },
            ["title"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                MaxLength = LinkRules.MaxTitleLength,
                Pattern = @"^[^\u0000-\u001f\u007f-\u009f]*$",
                Description = "A name for people (a dashboard, the list's q); trimmed, empty or null clears it. Visitors never see it.",
            },
            ["utm"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                AdditionalPropertiesAllowed = false,
                Description = "UTM tags merged into the destination at redirect time, over the destination's and the visitor's own utm_* parameters. "
                    + (create ? "Null: none." : "Merged: a tag given is set, a tag set to null is cleared; utm: null clears them all."),
                Properties = UtmTags.Fields.ToDictionary(
                    f => f.Field,
                    f => (IOpenApiSchema)new OpenApiSchema
                    {
                        Type = JsonSchemaType.String | JsonSchemaType.Null,
                        MaxLength = UtmTags.MaxLength,
                        Pattern = @"^[^\u0000-\u001f\u007f-\u009f]*$",
                        Description = $"{f.Parameter}; trimmed, empty or null: none.",
                    }),
            },
        };
        if (create)
        {
            properties["alias"] = Text("A custom code instead of a generated one: 3 to 64 of A-Z a-z 0-9 _ -, not a reserved word.", nullable: true, ShortCode.MaxAliasLength);
            ((OpenApiSchema)properties["alias"]).MinLength = ShortCode.MinAliasLength;
            ((OpenApiSchema)properties["alias"]).Pattern = "^[A-Za-z0-9_-]+$";
        }
        else
        {
            properties["disabled"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "A disabled link answers 410 (or its fallback) until enabled again." };
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = create
                ? "A new link: only url is required."
                : "A change (JSON merge patch): fields left out stay as they are; null clears an optional field.",
            Properties = properties,
            Required = create ? new HashSet<string> { "url" } : new HashSet<string>(),
            AdditionalPropertiesAllowed = false,
            MinProperties = create ? 1 : 0,
        };
    }

    private static OpenApiSchema Problem(bool validation)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A stable URI per kind of error (urn:urlshortener:problem:...)." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
        };
        if (validation)
        {
            properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "What is wrong, by field.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details.",
            Properties = properties,
            Required = validation ? new HashSet<string> { "type", "title", "status", "errors" } : new HashSet<string> { "type", "title", "status" },
        };
    }

    // The generator names the framework's types; the document names what the server writes.
    private static void ReplaceProblemReferences(OpenApiDocument document)
    {
        foreach (var operation in Operations(document))
        {
            foreach (var (status, response) in operation.Responses ?? new OpenApiResponses())
            {
                if (response is OpenApiResponse { Content: { } content } && content.TryGetValue("application/problem+json", out var media))
                {
                    media.Schema = new OpenApiSchemaReference(status == "400" ? ValidationProblemSchema : ProblemSchema, document);
                }
            }
        }
    }

    private static IEnumerable<OpenApiOperation> Operations(OpenApiDocument document) =>
        document.Paths.Values.SelectMany(path => path.Operations is { } operations ? operations.Values : Enumerable.Empty<OpenApiOperation>());

    private static OpenApiResponse ProblemResponse(OpenApiDocument document, string description, (string Name, string Description)? header = null) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
        Headers = header is { } h ? new Dictionary<string, IOpenApiHeader> { [h.Name] = Header(h.Description) } : null,
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String, string? format = null) => new()
    {
        Description = description,
        Schema = new OpenApiSchema { Type = type, Format = format },
    };

    private static OpenApiPathItem HealthPath(string name, string summary, bool withFailure)
    {
        var report = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "checks" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("Healthy"), JsonValue.Create("Degraded"), JsonValue.Create("Unhealthy")] },
                ["checks"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "status" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["status"] = new OpenApiSchema { Type = JsonSchemaType.String },
                            ["description"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        },
                    },
                },
            },
        };
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse { Description = "Healthy or degraded.", Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = report } } },
        };
        if (withFailure)
        {
            responses["503"] = new OpenApiResponse { Description = "A backend is unhealthy.", Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = report } } };
        }

        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new() { OperationId = name, Summary = summary, Responses = responses },
            },
        };
    }

    // From a link in an answer to the operations on it, so that a client or a fuzzer can chain calls.
    private static void AddLinks(OpenApiDocument document)
    {
        var targets = new (string Name, string OperationId)[]
        {
            ("GetLink", "getLink"), ("UpdateLink", "updateLink"), ("DeleteLink", "deleteLink"), ("GetLinkStats", "getLinkStats"), ("FollowLink", "followLink"),
        };
        foreach (var (operationId, status) in new[] { ("createLink", "201"), ("getLink", "200"), ("updateLink", "200") })
        {
            var response = Operations(document)
                .FirstOrDefault(operation => operation.OperationId == operationId)?.Responses?.GetValueOrDefault(status) as OpenApiResponse;
            if (response is null)
            {
                throw new InvalidOperationException($"The operation {operationId} has no {status} answer to link from.");
            }

            response.Links = targets
                .Where(target => target.OperationId != operationId)
                .ToDictionary(target => target.Name, target => (IOpenApiLink)new OpenApiLink
                {
                    OperationId = target.OperationId,
                    Parameters = new Dictionary<string, RuntimeExpressionAnyWrapper> { ["code"] = new() { Expression = RuntimeExpression.Build("$response.body#/code") } },
                });
        }
    }
}
