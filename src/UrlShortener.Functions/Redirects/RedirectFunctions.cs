using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Functions.Redirects;

public sealed class RedirectFunctions(RoutedElsewhere api)
{
    [Function("followLink")]
    public IResult Follow([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{code}")] HttpRequest request) =>
        api.Answer(request, "followLink");

    [Function("unlockLink")]
    public IResult Unlock([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "{code}")] HttpRequest request) =>
        api.Answer(request, "unlockLink");
}
