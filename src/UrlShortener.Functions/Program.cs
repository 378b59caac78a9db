using UrlShortener.Functions.Hosting;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Endpoints;
using UrlShortener.Web.Hosting;

NativeHeap.LimitRetention();

var builder = HttpApi.CreateBuilder(args);

// Under the Functions host the app is a custom handler: the host says which port to listen on.
var customHandlerPort = builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"];
if (!string.IsNullOrEmpty(customHandlerPort))
{
    builder.WebHost.UseUrls($"http://127.0.0.1:{customHandlerPort}");
}

builder.Services.AddUrlShortener(builder.Configuration);

var app = builder.Build();
app.UseHttpApi();
app.UseApiKeyAuthentication();
app.MapHostPing();
app.MapHealth();
app.MapOpenApi("/openapi/v1.json");
app.MapLinks();
app.MapStats();
if (!string.IsNullOrEmpty(customHandlerPort))
{
    app.MapTriggers();
}

app.MapRedirects();
app.Run();

/// <summary>The composition root; public so that tests can host the app.</summary>
public partial class Program;
