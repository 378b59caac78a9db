using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Endpoints;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Hosting;

/// <summary>
/// The endpoints of <see cref="UrlShortenerEndpoints.MapUrlShortener"/> for a host that routes requests itself
/// (the Functions worker: the host picks the function, the worker's routing sets the route values). Each
/// endpoint answers by name through the standalone app's own pipeline: problems for exceptions, status-code
/// pages, then authorization by the endpoint's own policy, then its key's rate limit. A short-circuit endpoint (the redirect) skips the
/// last two, as it does in the standalone app.
/// </summary>
public sealed class RoutedElsewhere
{
    private readonly Lazy<DetachedRoutes> _routes;
    private readonly Lazy<FrozenDictionary<string, IResult>> _answers;

    public RoutedElsewhere(IServiceProvider services)
    {
        // Apart: building the pipelines reads the endpoints (the authorization middleware caches their policies).
        _routes = new(() =>
        {
            var routes = new DetachedRoutes(services);
            routes.MapUrlShortener();
            return routes;
        });
        _answers = new(() => Build(services, _routes.Value));
        DataSource = new DescribedEndpoints(_routes);
    }

    /// <summary>
    /// The endpoints as the app's <see cref="EndpointDataSource"/> service, where the framework looks for
    /// endpoints to describe (ApiExplorer, and so OpenAPI). The host's own routing does not read it.
    /// </summary>
    public EndpointDataSource DataSource { get; }

    /// <summary>The answer of the endpoint named <paramref name="endpointName"/> to <paramref name="request"/>, written when the host executes it.</summary>
    public IResult Answer(HttpRequest request, string endpointName)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _answers.Value.TryGetValue(endpointName, out var answer)
            ? answer
            : throw new ArgumentException($"No endpoint is named '{endpointName}'.", nameof(endpointName));
    }

    /// <summary>Registers the surface, and its endpoints as the app's <see cref="EndpointDataSource"/>.</summary>
    public static IServiceCollection AddRoutedElsewhere(IServiceCollection services)
    {
        services.AddSingleton<RoutedElsewhere>();
        services.AddSingleton<EndpointDataSource>(sp => sp.GetRequiredService<RoutedElsewhere>().DataSource);
        return services;
    }

    private static FrozenDictionary<string, IResult> Build(IServiceProvider services, DetachedRoutes routes)
    {
        var api = new ApplicationBuilder(services);
        api.UseExceptionHandler();
        api.UseStatusCodePages();
        api.UseApiKeyAuthentication();
        api.UseApiRateLimits();
        api.Run(Dispatch);
        var apiPipeline = api.Build();

        var shortCircuit = new ApplicationBuilder(services);
        shortCircuit.UseExceptionHandler();
        shortCircuit.Run(Dispatch);
        var shortCircuitPipeline = shortCircuit.Build();

        return routes.DataSources.SelectMany(source => source.Endpoints)
            .Where(endpoint => endpoint.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToFrozenDictionary(
                endpoint => endpoint.Metadata.GetRequiredMetadata<IEndpointNameMetadata>().EndpointName,
                endpoint => (IResult)new EndpointAnswer(endpoint, endpoint.Metadata.GetMetadata<ShortCircuited>() is null ? apiPipeline : shortCircuitPipeline),
                StringComparer.Ordinal);
    }

    private static Task Dispatch(HttpContext context) => context.GetEndpoint()!.RequestDelegate!(context);

    private sealed class EndpointAnswer(Endpoint endpoint, RequestDelegate pipeline) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.SetEndpoint(endpoint);
            return pipeline(httpContext);
        }
    }

    private sealed class DescribedEndpoints(Lazy<DetachedRoutes> routes) : EndpointDataSource
    {
        public override IReadOnlyList<Endpoint> Endpoints => routes.Value.DataSources.SelectMany(source => source.Endpoints).ToList();

        public override Microsoft.Extensions.Primitives.IChangeToken GetChangeToken() => Microsoft.Extensions.FileProviders.NullChangeToken.Singleton;
    }

    private sealed class DetachedRoutes(IServiceProvider services) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => services;

        public ICollection<EndpointDataSource> DataSources { get; } = [];

        public IApplicationBuilder CreateApplicationBuilder() => new ApplicationBuilder(services);
    }
}
