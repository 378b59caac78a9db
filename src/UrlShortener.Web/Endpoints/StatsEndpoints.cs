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
            .WithMetadata(Limits.ApiRateLimit.Reads)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Human clicks by hour or day in [from, to), bot clicks, and breakdowns largest first. Default: the last 24 hours by hour.");

    private static async Task<Results<Ok<StatsResponse>, ProblemHttpResult>> GetAsync(
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
        return TypedResults.Ok(StatsResponse.FromReport(StatsReport.Build(code, query, days)));
    }
}

/// <summary>A link's stats as the API shows them (source-generated, like every other contract).</summary>
public sealed record StatsResponse(
    string Code,
    DateTimeOffset From,
    DateTimeOffset To,
    string Granularity,
    long Total,
    IReadOnlyList<StatsPointResponse> Series,
    IReadOnlyList<StatsCountResponse> Referrers,
    IReadOnlyList<StatsCountResponse> Browsers,
    IReadOnlyList<StatsCountResponse> OperatingSystems,
    IReadOnlyList<StatsCountResponse> Devices,
    IReadOnlyList<StatsCountResponse> Countries,
    long BotClicks)
{
    public static StatsResponse FromReport(StatsReport report) => new(
        report.Code,
        report.From,
        report.To,
        report.Granularity,
        report.Total,
        [.. report.Series.Select(p => new StatsPointResponse(p.Start, p.Clicks))],
        Counts(report.Referrers),
        Counts(report.Browsers),
        Counts(report.OperatingSystems),
        Counts(report.Devices),
        Counts(report.Countries),
        report.BotClicks);

    private static List<StatsCountResponse> Counts(IReadOnlyList<StatsCount> counts) => [.. counts.Select(c => new StatsCountResponse(c.Name, c.Clicks))];
}

/// <summary>Human clicks in the hour or day starting at <see cref="Start"/>.</summary>
public sealed record StatsPointResponse(DateTimeOffset Start, long Clicks);

/// <summary>Human clicks from one referrer host, browser, operating system, device or country.</summary>
public sealed record StatsCountResponse(string Name, long Clicks);
