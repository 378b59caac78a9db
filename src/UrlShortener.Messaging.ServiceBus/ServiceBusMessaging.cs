using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace UrlShortener.Messaging.ServiceBus;

public static class ServiceBusMessaging
{
    /// <summary>The name of the click queue's readiness check.</summary>
    public const string HealthCheckName = "servicebus";

    /// <summary>
    /// Service Bus as the click queue (<see cref="ServiceBusClickPublisher"/> sends, <see cref="ServiceBusClickQueue"/>
    /// receives): one <see cref="ServiceBusClient"/> signed in with the connection string or Azure.Identity, one
    /// sender, one receiver, and the client's own retries.
    /// </summary>
    public static IServiceCollection AddServiceBusClickQueue(this IServiceCollection services)
    {
        services.AddOptions<ServiceBusOptions>().BindConfiguration(ServiceBusOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceBusOptions>, ServiceBusOptionsValidator>();

        // One credential for every Azure client of the app, whichever adapter registers it first.
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ServiceBusOptions>>().Value;
            var clientOptions = new ServiceBusClientOptions
            {
                Identifier = "UrlShortener",
                RetryOptions = new ServiceBusRetryOptions
                {
                    Mode = ServiceBusRetryMode.Exponential,
                    MaxRetries = options.MaxAttempts - 1,
                    Delay = TimeSpan.FromMilliseconds(200),
                    MaxDelay = TimeSpan.FromSeconds(30),
                    TryTimeout = TimeSpan.FromSeconds(options.TryTimeoutSeconds),
                },
            };
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new ServiceBusClient(options.FullyQualifiedNamespace, sp.GetRequiredService<TokenCredential>(), clientOptions)
                : new ServiceBusClient(options.ConnectionString, clientOptions);
        });
        services.AddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(sp.GetRequiredService<IOptions<ServiceBusOptions>>().Value.QueueName));
        services.AddSingleton<ServiceBusClickPublisher>();
        services.AddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateReceiver(
            sp.GetRequiredService<IOptions<ServiceBusOptions>>().Value.QueueName,
            new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock, PrefetchCount = 0, Identifier = "UrlShortener.ClickDrain" }));
        services.AddSingleton<ServiceBusClickQueue>();
        services.AddHealthChecks().AddCheck<ServiceBusHealthCheck>(HealthCheckName);
        return services;
    }
}
