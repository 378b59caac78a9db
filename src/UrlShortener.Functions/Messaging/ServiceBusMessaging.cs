using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Functions.Messaging;

public static class ServiceBusMessaging
{
    /// <summary>Service Bus as the click queue, when <c>ServiceBus:FullyQualifiedNamespace</c> or <c>ServiceBus:ConnectionString</c> is set.</summary>
    public static WebApplicationBuilder AddServiceBusClickQueue(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetSection(ServiceBusOptions.Section).Get<ServiceBusOptions>()?.IsConfigured != true)
        {
            return builder;
        }

        var services = builder.Services;
        services.AddOptions<ServiceBusOptions>().BindConfiguration(ServiceBusOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceBusOptions>, ServiceBusOptionsValidator>();
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton<IServiceBusAuthorization>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ServiceBusOptions>>().Value;
            var clock = sp.GetRequiredService<TimeProvider>();
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new EntraServiceBusAuthorization(sp.GetRequiredService<TokenCredential>(), clock)
                : SharedAccessSignature.TryParse(options.ConnectionString, clock)!;
        });
        services.AddHttpClient<IClickPublisher, ServiceBusClickPublisher>(http => http.Timeout = TimeSpan.FromSeconds(10));
        return builder;
    }
}
