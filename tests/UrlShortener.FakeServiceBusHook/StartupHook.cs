using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UrlShortener.FakeServiceBusHook;

/// <summary>
/// Runs before the worker's Main (DOTNET_STARTUP_HOOKS). When the host is built, as WebApplicationFactory
/// does in process, it adds the FAKE Service Bus sender and receiver last, so that they win.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1050", Justification = "The runtime looks for a StartupHook type in no namespace.")]
internal static class StartupHook
{
    public static void Initialize()
    {
        var url = Environment.GetEnvironmentVariable(FakeServiceBusWire.UrlVariable);
        if (string.IsNullOrEmpty(url))
        {
            return;
        }

        var http = new HttpClient { BaseAddress = new Uri(url) };
        DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name == "Microsoft.Extensions.Hosting")
            {
                listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
                {
                    // A HostApplicationBuilder announces itself through an IHostBuilder adapter, as HostFactoryResolver reads it.
                    if (e.Key == "HostBuilding" && e.Value is IHostBuilder builder)
                    {
                        builder.ConfigureServices((_, services) =>
                        {
                            services.AddSingleton<ServiceBusSender>(new BridgedServiceBusSender(http));
                            services.AddSingleton<ServiceBusReceiver>(new BridgedServiceBusReceiver(http));
                        });
                    }
                }));
            }
        }));
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(T value) => next(value);
    }
}
