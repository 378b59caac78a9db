using UrlShortener.Web.Dashboard;

namespace UrlShortener.Web.Endpoints;

/// <summary>The public contract: every route both hosts serve, each named (the Functions app names its functions after them).</summary>
public static class UrlShortenerEndpoints
{
    public const string OpenApiDocumentPath = "/openapi/v1.json";

    public static IEndpointRouteBuilder MapUrlShortener(this IEndpointRouteBuilder app)
    {
        app.MapHealth();
        app.MapOpenApi(OpenApiDocumentPath).WithName("openApiDocument");
        app.MapLinks();
        app.MapStats();
        app.MapApiKey();
        app.MapDashboard();
        app.MapRedirects();
        return app;
    }
}

/// <summary>Marks an endpoint answered straight after routing: no status-code pages, no authentication (see <c>ShortCircuit()</c>).</summary>
public sealed class ShortCircuited
{
    public static readonly ShortCircuited Instance = new();

    private ShortCircuited()
    {
    }
}
