using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Functions.Dashboard;

/// <summary><c>/dashboard</c>: the dashboard's static files, served from the shared surface's memory.</summary>
public sealed class DashboardFunctions(RoutedElsewhere api)
{
    [Function("dashboard")]
    public IResult Serve([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "dashboard/{*path}")] HttpRequest request) =>
        api.Answer(request, "dashboard");
}
