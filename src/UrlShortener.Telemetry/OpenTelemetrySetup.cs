using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace UrlShortener.Telemetry;

/// <summary>Where telemetry goes, read from the standard settings; none set: no OpenTelemetry at all, so it costs nothing.</summary>
public sealed record TelemetryExporters(string? OtlpEndpoint, string? ApplicationInsightsConnectionString, string? ApplicationInsightsAuthentication = null)
{
    public bool Any => Otlp || ApplicationInsights;

    public bool Otlp => !string.IsNullOrWhiteSpace(OtlpEndpoint);

    public bool ApplicationInsights => !string.IsNullOrWhiteSpace(ApplicationInsightsConnectionString);

    public static TelemetryExporters From(IConfiguration configuration) =>
        new(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"], configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"], configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);

    /// <summary>
    /// The managed identity to send with when Application Insights has local auth off: the Functions host's own
    /// setting, <c>ClientId=…;Authorization=AAD</c> (infra/ sets it). Null: the connection string's key is enough.
    /// </summary>
    public string? EntraClientId()
    {
        var parts = (ApplicationInsightsAuthentication ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        return parts.TryGetValue("Authorization", out var kind) && kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)
            ? parts.GetValueOrDefault("ClientId") ?? string.Empty
            : null;
    }
}

public static class OpenTelemetrySetup
{
    /// <summary>The app's own meter, beside ASP.NET Core's, the HTTP client's and the runtime's.</summary>
    public const string MeterName = "UrlShortener";

    /// <summary>
    /// Traces and metrics with OpenTelemetry (ASP.NET Core, HTTP client and runtime instrumentation, and the
    /// <see cref="MeterName"/> meter), exported by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and to
    /// Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is. Redirects are measured, never
    /// traced: a span per visit would cost the hot path more than the redirect itself.
    /// </summary>
    public static IServiceCollection AddUrlShortenerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var exporters = TelemetryExporters.From(configuration);
        services.AddSingleton(exporters);
        if (!exporters.Any)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "urlshortener"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = IsTraced)
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterName));
        if (exporters.Otlp)
        {
            // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL and _HEADERS itself.
            telemetry.UseOtlpExporter();
        }

        if (exporters.ApplicationInsights)
        {
            var credential = exporters.EntraClientId() switch
            {
                null => null,
                "" => new DefaultAzureCredential(),
                var clientId => new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId }),
            };
            void Configure(AzureMonitorExporterOptions options)
            {
                options.ConnectionString = exporters.ApplicationInsightsConnectionString;
                options.Credential = credential;
            }

            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddAzureMonitorTraceExporter(Configure));
            services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddAzureMonitorMetricExporter(Configure));
        }

        return services;
    }

    // The API, health and document are traced; a short link's visit (any other path) is not.
    internal static bool IsTraced(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
        || context.Request.Path.StartsWithSegments("/readyz", StringComparison.Ordinal)
        || context.Request.Path.StartsWithSegments("/openapi", StringComparison.Ordinal);
}
