using Microsoft.AspNetCore.Diagnostics;
using UrlShortener.Core;
using UrlShortener.Web.Endpoints;

namespace UrlShortener.Web.Hosting;

public static class HttpApi
{
    /// <summary>
    /// Settings the app's speed or safety depends on, beneath every other source: started from any folder,
    /// where no appsettings.json is found, the app still logs no request (which halved the hot redirect).
    /// </summary>
    private static readonly Dictionary<string, string?> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
    };

    /// <summary>
    /// The app's builder: its content root is the app's own folder unless set (a service manager may start it
    /// from anywhere), and <see cref="Defaults"/> lie under every configuration source.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var contentRootSet = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = contentRootSet ? null : AppContext.BaseDirectory,
        });
        AddDefaultSettings(builder.Configuration);
        return builder;
    }

    /// <summary>Puts <see cref="Defaults"/> beneath every configuration source of a host's builder.</summary>
    public static void AddDefaultSettings(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Defaults });

    /// <summary>JSON, problem details, OpenAPI.</summary>
    internal static IServiceCollection AddHttpApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);

            // Numbers are written as numbers, and the document must not promise that strings are read as them.
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.AssignType);
        services.AddExceptionHandler<StoreFailureHandler>();
        services.AddOpenApi(OpenApiDocumentation.Configure);
        return services;
    }

    /// <summary>
    /// Exceptions become problems for every request, then routing: a short-circuit endpoint (the
    /// redirect) runs right there, and the rest of the pipeline is for the API.
    /// </summary>
    public static WebApplication UseHttpApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseRouting();
        app.UseStatusCodePages();
        return app;
    }

    // What a store that is down, throttled past its client's retries, or slow looks like: the adapters say
    // so with the core's exception (which names the store), the deadline with a timeout. Null: not a store failure.
    private static string? FailedStore(Exception exception)
    {
        string? timedOut = null;
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is StoreUnavailableException unavailable)
            {
                return unavailable.Store;
            }

            if (cause is TimeoutException)
            {
                timedOut = "link";
            }
        }

        return timedOut;
    }

    /// <summary>A store that cannot be reached is a 503 the client may retry, not a 500.</summary>
    private sealed class StoreFailureHandler(ILogger<StoreFailureHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (FailedStore(exception) is not { } store)
            {
                return false;
            }

            Log.StoreFailed(logger, exception, store, context.Request.Method, context.Request.Path.Value ?? "/");
            context.Response.Headers.RetryAfter = "5";
            await Problems.Write(context, Problems.ServiceUnavailable("The link store did not answer; try again shortly."));
            return true;
        }
    }
}
