using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using UrlShortener.Functions.Endpoints;

namespace UrlShortener.Functions.Hosting;

public static class HttpApi
{
    /// <summary>JSON, problem details, OpenAPI, and the address to listen on.</summary>
    public static WebApplicationBuilder AddHttpApi(this WebApplicationBuilder builder)
    {
        // Under the Functions host the app is a custom handler: the host says which port to listen on.
        if (builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] is { Length: > 0 } port)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }

        var services = builder.Services;
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.AssignType);
        services.AddExceptionHandler<StoreFailureHandler>();
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication UseHttpApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>A store that cannot be reached is a 503 the client may retry, not a 500.</summary>
    private sealed class StoreFailureHandler(ILogger<StoreFailureHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not (DbException or TimeoutException))
            {
                return false;
            }

            Log.StoreFailed(logger, exception, context.Request.Method, context.Request.Path.Value ?? "/");
            context.Response.Headers.RetryAfter = "5";
            await Problems.Write(context, Problems.ServiceUnavailable("The link store did not answer; try again shortly."));
            return true;
        }
    }
}
