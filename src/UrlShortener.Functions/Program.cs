using UrlShortener.Functions.Auth;
using UrlShortener.Functions.Caching;
using UrlShortener.Functions.Clicks;
using UrlShortener.Functions.Endpoints;
using UrlShortener.Functions.Hosting;
using UrlShortener.Functions.Messaging;
using UrlShortener.Functions.Storage.Cosmos;
using UrlShortener.Functions.Storage.Sqlite;

NativeHeap.LimitRetention();

var builder = HttpApi.CreateBuilder(args);
builder.AddHttpApi();
builder.AddApiKeyAuthentication();
builder.AddShortener();
if (builder.HasCosmos())
{
    builder.AddCosmosStorage();
}
else
{
    builder.AddEmbeddedStorage();
}

builder.AddRedisCache();
builder.AddServiceBusClickQueue();
builder.AddClickPipeline();

var app = builder.Build();
app.UseHttpApi();
app.UseApiKeyAuthentication();
app.MapHostPing();
app.MapHealth();
app.MapOpenApi("/openapi/v1.json");
app.MapLinks();
app.MapStats();
if (app.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] is not null)
{
    app.MapTriggers();
}

app.MapRedirects();
app.Run();

/// <summary>The composition root; public so that tests can host the app.</summary>
public partial class Program;
