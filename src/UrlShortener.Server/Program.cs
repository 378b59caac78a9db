using UrlShortener.Web.Auth;
using UrlShortener.Web.Endpoints;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Limits;

NativeHeap.LimitRetention();

var builder = HttpApi.CreateBuilder(args);
builder.Services.AddUrlShortener(builder.Configuration);

var app = builder.Build();
app.UseHttpApi();
app.UseApiKeyAuthentication();
app.UseApiRateLimits();
app.MapUrlShortener();
app.Run();

/// <summary>The standalone app's entry point; public so that tests can host it.</summary>
public partial class Program;
