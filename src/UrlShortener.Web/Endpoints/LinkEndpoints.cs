using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using UrlShortener.Core.Links;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Idempotency;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Endpoints;

/// <summary><c>/api/links</c>: an owner's short links.</summary>
public static class LinkEndpoints
{
    public static RouteGroupBuilder MapLinks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/links").WithTags("Links").ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("", CreateAsync)
            .WithName("createLink")
            .RequireAuthorization(Scopes.LinksWrite)
            .WithMetadata(ApiRateLimit.Writes)
            .AddEndpointFilter<IdempotentRequests>()
            .WithMetadata(IdempotentRequests.Metadata)
            .WithMetadata(new JsonRequestBody(OpenApiDocumentation.CreateLinkSchema, "application/json"))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Shorten a URL, with a generated code or a custom alias.");

        group.MapBulkLinks();
        group.MapQrCodes();

        group.MapGet("", ListAsync)
            .WithName("listLinks")
            .RequireAuthorization(Scopes.LinksRead)
            .WithMetadata(ApiRateLimit.Reads)
            .ProducesValidationProblem()
            .WithSummary("The caller's links, newest first, a page at a time; q finds text in the code, destination or title, tag keeps links with that tag.");

        group.MapGet("/{code}", GetAsync)
            .WithName("getLink")
            .RequireAuthorization(Scopes.LinksRead)
            .WithMetadata(ApiRateLimit.Reads)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One of the caller's links.");

        group.MapPatch("/{code}", UpdateAsync)
            .WithName("updateLink")
            .RequireAuthorization(Scopes.LinksWrite)
            .WithMetadata(ApiRateLimit.Writes)
            .WithMetadata(new JsonRequestBody(OpenApiDocumentation.UpdateLinkSchema, "application/json", "application/merge-patch+json"))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Change a link: fields left out stay as they are, null clears an optional field.");

        group.MapDelete("/{code}", DeleteAsync)
            .WithName("deleteLink")
            .RequireAuthorization(Scopes.LinksWrite)
            .WithMetadata(ApiRateLimit.Writes)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Delete a link: its short URL answers 410 from then on.");

        return group;
    }

    private static async Task<Results<Created<LinkResponse>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ClaimsPrincipal user, LinkService links, ShortUrls shortUrls, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var errors = new ValidationErrors();
        var draft = LinkRequestParser.ParseCreate(body.RootElement, errors);
        var context = new RequestContext(user.Owner(), shortUrls.Own(request));
        if (!errors.IsEmpty)
        {
            links.Validate(context, draft, errors);
            return Problems.Invalid(errors.ToDictionary());
        }

        return await links.CreateAsync(context, draft, cancellationToken) switch
        {
            CreateLinkResult.Created created => TypedResults.Created(
                $"/api/links/{created.Link.Code}", LinkResponse.From(created.Link, shortUrls.For(request, created.Link.Code))),
            CreateLinkResult.AliasTaken taken => Problems.AliasTaken(taken.Alias),
            CreateLinkResult.Invalid invalid => Problems.Invalid(invalid.Errors.ToDictionary()),
            var other => throw new InvalidOperationException($"Unhandled outcome {other}."),
        };
    }

    private static async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> GetAsync(
        string code, HttpRequest request, ClaimsPrincipal user, LinkService links, ShortUrls shortUrls, CancellationToken cancellationToken)
    {
        var link = await links.GetAsync(user.Owner(), code, cancellationToken);
        return link is null
            ? Problems.LinkNotFound(code)
            : TypedResults.Ok(LinkResponse.From(link, shortUrls.For(request, link.Code)));
    }

    private static async Task<Results<Ok<LinkListResponse>, ProblemHttpResult>> ListAsync(
        string? limit, string? cursor, string? q, string? tag, HttpRequest request, ClaimsPrincipal user, LinkService links, ShortUrls shortUrls, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = LinkFilter.Parse(q, tag, errors);
        if (!errors.IsEmpty)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var pageSize = LinkService.DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize < 1 || pageSize > LinkService.MaxPageSize))
        {
            return Problems.Invalid("limit", $"must be a whole number from 1 to {LinkService.MaxPageSize}.");
        }

        LinkCursor? after = null;
        if (cursor is not null)
        {
            if (!LinkCursor.TryDecode(cursor, out var decoded))
            {
                return Problems.Invalid("cursor", "is not a cursor this API returned; pass nextCursor back unchanged.");
            }

            after = decoded;
        }

        var page = await links.ListAsync(user.Owner(), pageSize, after, filter, cancellationToken);
        var items = page.Items.Select(link => LinkResponse.From(link, shortUrls.For(request, link.Code))).ToList();
        return TypedResults.Ok(new LinkListResponse(items, page.Next?.Encode()));
    }

    private static async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> UpdateAsync(
        string code, HttpRequest request, ClaimsPrincipal user, LinkService links, ShortUrls shortUrls, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var errors = new ValidationErrors();
        var changes = LinkRequestParser.ParseChanges(body.RootElement, errors);
        if (!errors.IsEmpty)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var context = new RequestContext(user.Owner(), shortUrls.Own(request));
        return await links.UpdateAsync(context, code, changes, cancellationToken) switch
        {
            UpdateLinkResult.Updated updated => TypedResults.Ok(LinkResponse.From(updated.Link, shortUrls.For(request, code))),
            UpdateLinkResult.NotFound => Problems.LinkNotFound(code),
            UpdateLinkResult.Invalid invalid => Problems.Invalid(invalid.Errors.ToDictionary()),
            UpdateLinkResult.Conflict => ConcurrentChange(request, code),
            var other => throw new InvalidOperationException($"Unhandled outcome {other}."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string code, HttpRequest request, ClaimsPrincipal user, LinkService links, CancellationToken cancellationToken)
    {
        return await links.DeleteAsync(user.Owner(), code, cancellationToken) switch
        {
            DeleteLinkResult.Deleted => TypedResults.NoContent(),
            DeleteLinkResult.Conflict => ConcurrentChange(request, code),
            _ => Problems.LinkNotFound(code),
        };
    }

    private static ProblemHttpResult ConcurrentChange(HttpRequest request, string code)
    {
        request.HttpContext.Response.Headers.RetryAfter = "1";
        return Problems.ConcurrentChange(code);
    }
}
