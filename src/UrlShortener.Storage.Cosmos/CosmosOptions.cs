using Microsoft.Extensions.Options;

namespace UrlShortener.Storage.Cosmos;

/// <summary>The <c>Cosmos</c> configuration section. Cosmos DB is used when an endpoint or connection string is set.</summary>
public sealed class CosmosOptions
{
    public const string Section = "Cosmos";

    /// <summary>Key-based connection string (the emulator, or an account with local auth on).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The account endpoint, e.g. https://acct.documents.azure.com:443/; signs in with Azure.Identity (managed identity).</summary>
    public string? AccountEndpoint { get; set; }

    public string DatabaseName { get; set; } = "urlshortener";

    /// <summary>Create the database and containers at start. Off in Azure, where Bicep creates them and the data-plane role cannot.</summary>
    public bool CreateResources { get; set; }

    /// <summary>Accept any server certificate; honoured only for a loopback endpoint (the emulator's certificate is self-signed).</summary>
    public bool DisableServerCertificateValidation { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(AccountEndpoint);

    /// <summary>The endpoint either setting names.</summary>
    public Uri? Endpoint()
    {
        if (!string.IsNullOrWhiteSpace(AccountEndpoint))
        {
            return Uri.TryCreate(AccountEndpoint, UriKind.Absolute, out var uri) ? uri : null;
        }

        var endpoint = (ConnectionString ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .FirstOrDefault(pair => pair.Length == 2 && pair[0].Trim().Equals("AccountEndpoint", StringComparison.OrdinalIgnoreCase))?[1];
        return Uri.TryCreate(endpoint, UriKind.Absolute, out var parsed) ? parsed : null;
    }
}

internal sealed class CosmosOptionsValidator : IValidateOptions<CosmosOptions>
{
    public ValidateOptionsResult Validate(string? name, CosmosOptions options)
    {
        if (!options.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString) && !string.IsNullOrWhiteSpace(options.AccountEndpoint))
        {
            failures.Add("Set either Cosmos:ConnectionString (key) or Cosmos:AccountEndpoint (managed identity), not both.");
        }

        var endpoint = options.Endpoint();
        if (endpoint is null || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add("Cosmos:AccountEndpoint (or the AccountEndpoint of Cosmos:ConnectionString) must be an absolute https URL.");
        }
        else if (options.DisableServerCertificateValidation && !endpoint.IsLoopback)
        {
            failures.Add($"Cosmos:DisableServerCertificateValidation is only for a loopback emulator, not {endpoint.Host}.");
        }

        if (string.IsNullOrWhiteSpace(options.DatabaseName))
        {
            failures.Add("Cosmos:DatabaseName must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
