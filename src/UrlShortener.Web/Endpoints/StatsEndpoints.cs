using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Links;
using UrlShortener.Web.Auth;

namespace UrlShortener.Web.Endpoints;

/// <summary><c>GET /api/links/{code}/stats</c>: a link's clicks by hour or day, with breakdowns.</summary>
public static class StatsEndpoints
{
    public static IEndpointConventionBuilder MapStats(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/links/{code}/stats", GetAsync)
            .WithName("getLinkStats")
            .WithTags("Stats")
            .RequireAuthorization(Scopes.StatsRead)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Human clicks by hour or day in [from, to), bot clicks, and breakdowns largest first. Default: the last 24 hours by hour.");

    private static async Task<Results<Ok<StatsReport>, ProblemHttpResult>> GetAsync(
        string code,
        string? from,
        string? to,
        string? granularity,
        ClaimsPrincipal user,
        LinkService links,
        IStatsStore stats,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var query = StatsQuery.Parse(from, to, granularity, clock.GetUtcNow(), errors);
        if (query is null)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        if (await links.GetAsync(user.Owner(), code, cancellationToken) is null)
        {
            return Problems.LinkNotFound(code);
        }

        var days = await stats.ReadAsync(code, query.Days().ToList(), cancellationToken);
        return TypedResults.Ok(StatsReport.Build(code, query, days));
    }
}
