using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Functions.Auth;

/// <summary><c>/api/key</c>: the caller's API key, as the endpoint of the same name describes it.</summary>
public sealed class ApiKeyFunctions(RoutedElsewhere api)
{
    [Function("getApiKey")]
    public IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/key")] HttpRequest request) =>
        api.Answer(request, "getApiKey");
}
