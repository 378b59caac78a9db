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
            .WithMetadata(CsvExport.Instance)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Human clicks by hour or day in [from, to), bot clicks, and breakdowns largest first. Default: the last 24 hours by hour. As CSV with Accept: text/csv or format=csv.");

    private static async Task<Results<Ok<StatsResponse>, FileContentHttpResult, ProblemHttpResult>> GetAsync(
        string code,
        string? from,
        string? to,
        string? granularity,
        string? format,
        HttpRequest request,
        ClaimsPrincipal user,
        LinkService links,
        IStatsStore stats,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (format is not (null or "json" or "csv"))
        {
            errors.Add("format", "must be json or csv (or leave it out and send Accept: text/csv for CSV).");
        }

        var query = StatsQuery.Parse(from, to, granularity, clock.GetUtcNow(), errors);
        if (query is null || !errors.IsEmpty)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        if (await links.GetAsync(user.Owner(), code, cancellationToken) is null)
        {
            return Problems.LinkNotFound(code);
        }

        var days = await stats.ReadAsync(code, query.Days().ToList(), cancellationToken);
        var report = StatsReport.Build(code, query, days);
        if (format == "csv" || (format is null && WantsCsv(request)))
        {
            return TypedResults.File(StatsCsv.Write(report), StatsCsv.MediaType + "; charset=utf-8; header=present", StatsCsv.FileName(report));
        }

        return TypedResults.Ok(StatsResponse.FromReport(report));
    }

    // CSV when the client ranks text/csv above JSON (a bare Accept: text/csv, or a browser's download link).
    private static bool WantsCsv(HttpRequest request)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accept))
        {
            return false;
        }

        double Quality(string mediaType) => accept
            .Where(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1)
            .Append(0)
            .Max();
        return Quality(StatsCsv.MediaType) > Math.Max(Quality("application/json"), 0);
    }
}

/// <summary>Marks an endpoint that also answers its 200 as <c>text/csv</c> (for the OpenAPI document).</summary>
public sealed class CsvExport
{
    public static readonly CsvExport Instance = new();

    private CsvExport()
    {
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
    long BotClicks,
    IReadOnlyList<StatsCountResponse> Campaigns,
    long QrScans,
    IReadOnlyList<StatsCountResponse> Sources,
    long UniqueVisitors)
{
    public static StatsResponse FromReport(StatsReport report) => new(
        report.Code,
        report.From,
        report.To,
        report.Granularity,
        report.Total,
        [.. report.Series.Select(p => new StatsPointResponse(p.Start, p.Clicks, p.UniqueVisitors, p.BotClicks))],
        Counts(report.Referrers),
        Counts(report.Browsers),
        Counts(report.OperatingSystems),
        Counts(report.Devices),
        Counts(report.Countries),
        report.BotClicks,
        Counts(report.Campaigns ?? []),
        report.QrScans,
        Counts(report.Sources ?? []),
        report.UniqueVisitors);

    private static List<StatsCountResponse> Counts(IReadOnlyList<StatsCount> counts) => [.. counts.Select(c => new StatsCountResponse(c.Name, c.Clicks))];
}

/// <summary>Human clicks in the hour or day starting at <see cref="Start"/>; by day, its unique visitors and bot clicks too.</summary>
public sealed record StatsPointResponse(
    DateTimeOffset Start,
    long Clicks,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? UniqueVisitors = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? BotClicks = null);

/// <summary>Human clicks from one referrer host, browser, operating system, device or country.</summary>
public sealed record StatsCountResponse(string Name, long Clicks);
