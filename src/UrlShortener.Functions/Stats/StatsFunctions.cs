using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Functions.Stats;

public sealed class StatsFunctions(RoutedElsewhere api)
{
    [Function("getLinkStats")]
    public IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/links/{code}/stats")] HttpRequest request) =>
        api.Answer(request, "getLinkStats");
}
