using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Functions.Health;

/// <summary>Liveness, readiness and the OpenAPI document.</summary>
public sealed class HealthFunctions(RoutedElsewhere api)
{
    [Function("healthz")]
    public IResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "healthz")] HttpRequest request) =>
        api.Answer(request, "healthz");

    [Function("readyz")]
    public IResult Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "readyz")] HttpRequest request) =>
        api.Answer(request, "readyz");

    [Function("openApiDocument")]
    public IResult OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest request) =>
        api.Answer(request, "openApiDocument");
}
