using Microsoft.Extensions.Options;

namespace UrlShortener.Messaging.ServiceBus;

/// <summary>The <c>ServiceBus</c> configuration section: the click queue in Azure. Unset: the embedded queue.</summary>
public sealed class ServiceBusOptions
{
    public const string Section = "ServiceBus";

    /// <summary><c>&lt;namespace&gt;.servicebus.windows.net</c>: signs in with Azure.Identity (a managed identity in Azure).</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Instead: <c>Endpoint=sb://…/;SharedAccessKeyName=…;SharedAccessKey=…</c> (SAS; not when local auth is off).</summary>
    public string? ConnectionString { get; set; }

    public string QueueName { get; set; } = "clicks";

    /// <summary>How many times the client tries one send (its own exponential retry) before the batch waits for the next round.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>How long one try of a send may take.</summary>
    public double TryTimeoutSeconds { get; set; } = 10;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(FullyQualifiedNamespace) || !string.IsNullOrWhiteSpace(ConnectionString);
}

internal sealed class ServiceBusOptionsValidator : IValidateOptions<ServiceBusOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceBusOptions options)
    {
        var failures = new List<string>();
        if (!options.IsConfigured)
        {
            failures.Add("Set ServiceBus:FullyQualifiedNamespace (managed identity) or ServiceBus:ConnectionString (SAS) to use Service Bus.");
        }

        if (!string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace) && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Set either ServiceBus:FullyQualifiedNamespace (managed identity) or ServiceBus:ConnectionString (SAS), not both.");
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString) && !IsConnectionString(options.ConnectionString))
        {
            failures.Add("ServiceBus:ConnectionString must hold Endpoint=sb://…, SharedAccessKeyName and SharedAccessKey.");
        }

        if (!string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace) && Uri.CheckHostName(options.FullyQualifiedNamespace) == UriHostNameType.Unknown)
        {
            failures.Add($"ServiceBus:FullyQualifiedNamespace must be a host name like name.servicebus.windows.net (got '{options.FullyQualifiedNamespace}').");
        }

        if (string.IsNullOrWhiteSpace(options.QueueName) || options.QueueName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')))
        {
            failures.Add("ServiceBus:QueueName must be a queue name (letters, digits, '-', '_', '.', '/').");
        }

        if (options.MaxAttempts is < 1 or > 20)
        {
            failures.Add("ServiceBus:MaxAttempts must be 1 to 20.");
        }

        if (options.TryTimeoutSeconds is < 1 or > 120 || double.IsNaN(options.TryTimeoutSeconds))
        {
            failures.Add("ServiceBus:TryTimeoutSeconds must be 1 to 120.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // What the client itself needs before it would fail at the first send: an sb:// endpoint and a key (or a SAS token).
    private static bool IsConnectionString(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        return parts.TryGetValue("Endpoint", out var endpoint)
            && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme == "sb"
            && ((parts.ContainsKey("SharedAccessKeyName") && parts.ContainsKey("SharedAccessKey")) || parts.ContainsKey("SharedAccessSignature"));
    }
}
