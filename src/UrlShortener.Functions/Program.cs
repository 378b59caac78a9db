using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UrlShortener.Web.Clicks;
using UrlShortener.Web.Hosting;

NativeHeap.LimitRetention();

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
HttpApi.AddDefaultSettings(builder.Configuration);
builder.Services.AddUrlShortener(builder.Configuration, ClickDrainDriver.Timer);
RoutedElsewhere.AddRoutedElsewhere(builder.Services);
builder.Build().Run();
