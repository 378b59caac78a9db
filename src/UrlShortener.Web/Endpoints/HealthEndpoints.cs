using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UrlShortener.Web.Endpoints;

/// <summary><c>/healthz</c> (the process is up) and <c>/readyz</c> (every configured backend answers: each adapter registers its check).</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithName("healthz")
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            .WithTags("Health");
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = _ => true, ResponseWriter = WriteAsync })
            .WithName("readyz")
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            .WithTags("Health");
        return app;
    }

    // Status and description only: exception text stays in the logs.
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            if (entry.Description is not null)
            {
                json.WriteString("description", entry.Description);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
