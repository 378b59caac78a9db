using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace UrlShortener.Functions.Messaging;

/// <summary>The Authorization header for Service Bus REST: an Entra ID bearer token, or a SAS token.</summary>
public interface IServiceBusAuthorization
{
    ValueTask<string> HeaderAsync(Uri resource, CancellationToken cancellationToken);
}

/// <summary>A token for https://servicebus.azure.net/.default from Azure.Identity, cached until five minutes before it expires.</summary>
public sealed class EntraServiceBusAuthorization(TokenCredential credential, TimeProvider clock) : IServiceBusAuthorization, IDisposable
{
    private static readonly TokenRequestContext Scope = new(["https://servicebus.azure.net/.default"]);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private AccessToken _token;

    public async ValueTask<string> HeaderAsync(Uri resource, CancellationToken cancellationToken)
    {
        if (IsFresh())
        {
            return "Bearer " + _token.Token;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsFresh())
            {
                _token = await credential.GetTokenAsync(Scope, cancellationToken).ConfigureAwait(false);
            }

            return "Bearer " + _token.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    // No token yet (ExpiresOn is MinValue), or less than five minutes left: ask for a new one.
    private bool IsFresh() => _token.Token is not null && _token.ExpiresOn > clock.GetUtcNow() + TimeSpan.FromMinutes(5);
}

/// <summary>A shared access signature from a connection string's key, valid for an hour, made anew before it runs out.</summary>
public sealed class SharedAccessSignature(string keyName, string key, TimeProvider clock) : IServiceBusAuthorization
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private (string Header, DateTimeOffset Expires, Uri Resource)? _current;

    public Uri? Endpoint { get; private init; }

    /// <summary>Reads <c>Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…</c>; null when parts are missing.</summary>
    public static SharedAccessSignature? TryParse(string connectionString, TimeProvider? clock = null)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return parts.TryGetValue("Endpoint", out var endpoint) && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            && parts.TryGetValue("SharedAccessKeyName", out var name) && parts.TryGetValue("SharedAccessKey", out var key)
            ? new SharedAccessSignature(name, key, clock ?? TimeProvider.System) { Endpoint = new Uri($"https://{uri.Host}/") }
            : null;
    }

    public ValueTask<string> HeaderAsync(Uri resource, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_current is { } current && current.Resource == resource && current.Expires - TimeSpan.FromMinutes(5) > now)
        {
            return ValueTask.FromResult(current.Header);
        }

        var expires = now + Lifetime;
        var audience = WebUtility.UrlEncode(resource.GetLeftPart(UriPartial.Path).ToLowerInvariant());
        var expiry = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{audience}\n{expiry}")));
        var header = $"SharedAccessSignature sr={audience}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn={keyName}";
        _current = (header, expires, resource);
        return ValueTask.FromResult(header);
    }
}
