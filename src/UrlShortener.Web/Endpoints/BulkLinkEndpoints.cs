using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using UrlShortener.Core;
using UrlShortener.Core.Links;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Idempotency;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Endpoints;

/// <summary><c>POST /api/links/bulk</c>: up to <see cref="MaxLinks"/> links in one call, each answered on its own, in order.</summary>
public static class BulkLinkEndpoints
{
    public const int MaxLinks = 1000;

    /// <summary>A thousand links of about 4 KB each.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    public static RouteHandlerBuilder MapBulkLinks(this RouteGroupBuilder links) =>
        links.MapPost("/bulk", CreateManyAsync)
            .WithName("createLinks")
            .RequireAuthorization(Scopes.LinksWrite)
            .WithMetadata(ApiRateLimit.Writes)
            // The instance's one admission (AddEndpointFilter<T> would make a filter, and its limiter, per request).
            .AddEndpointFilter(static (context, next) => context.HttpContext.RequestServices.GetRequiredService<BulkCreateAdmission>().InvokeAsync(context, next))
            .AddEndpointFilter<IdempotentRequests>()
            .WithMetadata(IdempotentRequests.For(MaxBytes))
            .WithMetadata(new JsonRequestBody(OpenApiDocumentation.BulkCreateSchema, "application/json"))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary($"Shorten up to {MaxLinks} URLs in one call: each item is answered in order, with its link (201) or its problem; one bad item never fails the others.");

    private static async Task<Results<Ok<BulkCreateResponse>, ProblemHttpResult>> CreateManyAsync(
        HttpRequest request, ClaimsPrincipal user, LinkService links, ShortUrls shortUrls, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadObjectAsync(request, MaxBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        if (!body.RootElement.TryGetProperty("links", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return Problems.Invalid("links", $"is required: an array of 1 to {MaxLinks} links, each as POST /api/links takes it.");
        }

        var count = items.GetArrayLength();
        if (count is 0 or > MaxLinks)
        {
            return Problems.Invalid("links", $"must hold 1 to {MaxLinks} links (got {count}).");
        }

        foreach (var property in body.RootElement.EnumerateObject().Where(p => p.Name != "links"))
        {
            return Problems.Invalid(property.Name, "is not a field of a bulk create; send { \"links\": [ ... ] }.");
        }

        var context = new RequestContext(user.Owner(), shortUrls.Own(request));
        var answers = new BulkItemResponse[count];
        var drafts = new List<(int Index, LinkDraft Draft)>(count);
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                answers[index] = BulkItemResponse.Failed(index, Problems.Invalid("body", "must be a JSON object."));
            }
            else
            {
                var errors = new ValidationErrors();
                var draft = LinkRequestParser.ParseCreate(item, errors);
                if (errors.IsEmpty)
                {
                    drafts.Add((index, draft));
                }
                else
                {
                    links.Validate(context, draft, errors);
                    answers[index] = BulkItemResponse.Failed(index, Problems.Invalid(errors.ToDictionary()));
                }
            }

            index++;
        }

        var outcomes = await links.CreateManyAsync(context, [.. drafts.Select(d => d.Draft)], cancellationToken);
        var storeFailures = 0;
        for (var i = 0; i < drafts.Count; i++)
        {
            var at = drafts[i].Index;
            answers[at] = outcomes[i] switch
            {
                CreateLinkResult.Created created => BulkItemResponse.Succeeded(at, LinkResponse.From(created.Link, shortUrls.For(request, created.Link.Code))),
                CreateLinkResult.AliasTaken taken => BulkItemResponse.Failed(at, Problems.AliasTaken(taken.Alias)),
                CreateLinkResult.Invalid invalid => BulkItemResponse.Failed(at, Problems.Invalid(invalid.Errors.ToDictionary())),
                CreateLinkResult.NotStored => Unstored(at, ref storeFailures),
                var other => throw new InvalidOperationException($"Unhandled outcome {other}."),
            };
        }

        var createdCount = answers.Count(a => a.Status == StatusCodes.Status201Created);
        if (createdCount == 0 && storeFailures > 0)
        {
            // Nothing was stored: the whole call is a 503 the client may retry (and no Idempotency-Key keeps it).
            throw new StoreUnavailableException("store", "The link store took none of the bulk create's links.");
        }

        return TypedResults.Ok(new BulkCreateResponse(createdCount, count - createdCount, answers));
    }

    // The store did not take this item: its own 503, while the items the store took stay created and say so.
    private static BulkItemResponse Unstored(int index, ref int storeFailures)
    {
        storeFailures++;
        return BulkItemResponse.Failed(index, Problems.ServiceUnavailable("The link store did not take this link; send it again."));
    }
}

/// <summary>The answer to a bulk create: how many links were made, how many were not, and each item's own answer in order.</summary>
public sealed record BulkCreateResponse(int Created, int Failed, IReadOnlyList<BulkItemResponse> Items);

/// <summary>One item of a bulk create: its index in the request, its status (201, 400, 409 or 503), and the link or the problem.</summary>
public sealed record BulkItemResponse(int Index, int Status, LinkResponse? Link, BulkItemProblem? Problem)
{
    public static BulkItemResponse Succeeded(int index, LinkResponse link) => new(index, StatusCodes.Status201Created, link, null);

    public static BulkItemResponse Failed(int index, ProblemHttpResult problem) => new(index, problem.StatusCode, null, BulkItemProblem.From(problem.ProblemDetails));
}

/// <summary>An item's problem, with the fields of the problem details the single create would answer.</summary>
public sealed record BulkItemProblem(string? Type, string? Title, int? Status, string? Detail, IDictionary<string, string[]>? Errors)
{
    public static BulkItemProblem From(ProblemDetails problem) =>
        new(problem.Type, problem.Title, problem.Status, problem.Detail, (problem as HttpValidationProblemDetails)?.Errors);
}
