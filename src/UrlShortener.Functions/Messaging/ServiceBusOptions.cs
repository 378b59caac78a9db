using Microsoft.Extensions.Options;

namespace UrlShortener.Functions.Messaging;

/// <summary>The <c>ServiceBus</c> configuration section: the click queue in Azure. Unset: the embedded queue.</summary>
public sealed class ServiceBusOptions
{
    public const string Section = "ServiceBus";

    /// <summary><c>&lt;namespace&gt;.servicebus.windows.net</c>: sends with an Entra ID token (managed identity).</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Instead: <c>Endpoint=sb://…/;SharedAccessKeyName=…;SharedAccessKey=…</c> (SAS; not when local auth is off).</summary>
    public string? ConnectionString { get; set; }

    public string QueueName { get; set; } = "clicks";

    /// <summary>Where to send instead of https://&lt;namespace&gt;/ (a test server).</summary>
    public string? Endpoint { get; set; }

    /// <summary>How many times one send is tried before the batch waits for the next round.</summary>
    public int MaxAttempts { get; set; } = 6;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(FullyQualifiedNamespace) || !string.IsNullOrWhiteSpace(ConnectionString);
}

internal sealed class ServiceBusOptionsValidator : IValidateOptions<ServiceBusOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceBusOptions options)
    {
        if (!options.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace) && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Set either ServiceBus:FullyQualifiedNamespace (managed identity) or ServiceBus:ConnectionString (SAS), not both.");
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString) && SharedAccessSignature.TryParse(options.ConnectionString) is null)
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

        if (options.Endpoint is { Length: > 0 } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            failures.Add("ServiceBus:Endpoint must be an absolute URL.");
        }

        if (options.MaxAttempts is < 1 or > 20)
        {
            failures.Add("ServiceBus:MaxAttempts must be 1 to 20.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
