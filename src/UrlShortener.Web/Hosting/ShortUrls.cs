using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Links;

namespace UrlShortener.Web.Hosting;

/// <summary>The public address of short links, and the hosts that are this shortener.</summary>
public sealed class ShortUrls
{
    private readonly string? _baseUrl;
    private readonly List<Uri> _configured = [];
    private readonly IServer _server;
    private OwnHosts? _own;

    public ShortUrls(IOptions<ShortenerOptions> options, IConfiguration configuration, IServer server)
    {
        _server = server;
        if (options.Value.BaseUrl is { Length: > 0 } baseUrl)
        {
            _baseUrl = baseUrl.TrimEnd('/');
            _configured.Add(new Uri(baseUrl));
        }

        // App Service and Functions name the app's own default host here (app.azurewebsites.net).
        if (configuration["WEBSITE_HOSTNAME"] is { Length: > 0 } siteHost && Uri.TryCreate($"https://{siteHost}/", UriKind.Absolute, out var site))
        {
            _configured.Add(site);
        }
    }

    /// <summary>
    /// The short URL of <paramref name="code"/>: on the configured base URL, which is required outside
    /// Development; only there may the request's own scheme and host stand in for it.
    /// </summary>
    public string For(HttpRequest request, string code) =>
        $"{_baseUrl ?? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}"}/{code}";

    /// <summary>
    /// The base URL, the app's site name, every address the server listens on, and the host this
    /// request came to: a destination must be none of them. A spoofed Host header can only add to them.
    /// </summary>
    public OwnHosts Own(HttpRequest request)
    {
        var own = _own ??= OwnHosts.Of(_configured.Concat(ListeningAddresses()));
        return request.Host.HasValue && Uri.TryCreate($"{request.Scheme}://{request.Host.ToUriComponent()}/", UriKind.Absolute, out var host)
            ? own.With(host)
            : own;
    }

    // Read on first use, once the server listens. Kestrel writes "any address" as + or *.
    private IEnumerable<Uri> ListeningAddresses()
    {
        foreach (var address in _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var text = address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
            {
                yield return uri;
            }
        }
    }
}
