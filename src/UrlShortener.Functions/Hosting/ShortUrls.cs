using Microsoft.Extensions.Options;
using UrlShortener.Core.Links;

namespace UrlShortener.Functions.Hosting;

/// <summary>The public address of short links, and the hosts that are this shortener.</summary>
public sealed class ShortUrls
{
    private readonly string? _baseUrl;
    private readonly string? _baseAuthority;

    public ShortUrls(IOptions<ShortenerOptions> options)
    {
        if (options.Value.BaseUrl is { Length: > 0 } baseUrl)
        {
            var uri = new Uri(baseUrl);
            _baseUrl = baseUrl.TrimEnd('/');
            _baseAuthority = DestinationUrl.Authority(uri);
        }
    }

    public string For(HttpRequest request, string code) =>
        $"{_baseUrl ?? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}"}/{code}";

    /// <summary>host[:port] of the configured base URL and of the request: a destination must be neither.</summary>
    public IReadOnlyCollection<string> OwnAuthorities(HttpRequest request)
    {
        var authorities = new HashSet<string>(StringComparer.Ordinal);
        if (_baseAuthority is not null)
        {
            authorities.Add(_baseAuthority);
        }

        if (request.Host.HasValue && Uri.TryCreate($"{request.Scheme}://{request.Host.ToUriComponent()}/", UriKind.Absolute, out var own))
        {
            authorities.Add(DestinationUrl.Authority(own));
        }

        return authorities;
    }
}
