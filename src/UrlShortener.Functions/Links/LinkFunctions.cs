using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Functions.Links;

/// <summary><c>/api/links</c>: each function hands its request to the endpoint of the same name.</summary>
public sealed class LinkFunctions(RoutedElsewhere api)
{
    [Function("createLink")]
    public IResult Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/links")] HttpRequest request) =>
        api.Answer(request, "createLink");

    [Function("createLinks")]
    public IResult CreateMany([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/links/bulk")] HttpRequest request) =>
        api.Answer(request, "createLinks");

    [Function("listLinks")]
    public IResult List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/links")] HttpRequest request) =>
        api.Answer(request, "listLinks");

    [Function("getLink")]
    public IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/links/{code}")] HttpRequest request) =>
        api.Answer(request, "getLink");

    [Function("getLinkQrCode")]
    public IResult GetQrCode([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/links/{code}/qr")] HttpRequest request) =>
        api.Answer(request, "getLinkQrCode");

    [Function("updateLink")]
    public IResult Update([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/links/{code}")] HttpRequest request) =>
        api.Answer(request, "updateLink");

    [Function("deleteLink")]
    public IResult Delete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/links/{code}")] HttpRequest request) =>
        api.Answer(request, "deleteLink");
}
