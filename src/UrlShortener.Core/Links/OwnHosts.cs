using System.Collections.Frozen;
using System.Globalization;
using System.Net;

namespace UrlShortener.Core.Links;

/// <summary>
/// The host:port pairs at which this shortener answers. A destination there would redirect back to
/// the shortener, maybe to another short link and round again, so it is refused in every spelling
/// of the host: case, a trailing dot, decimal, hex and octal IPv4, IPv4-mapped IPv6, any loopback name.
/// </summary>
public sealed class OwnHosts
{
    // Every loopback name and address (and the unspecified address, which reaches this machine too) is one host.
    private const string Loopback = "(loopback)";

    private readonly FrozenSet<string> _authorities;

    // Added per request (its Host): a few strings beside the shared set, not a new frozen set each time.
    private readonly string[] _added;

    private OwnHosts(FrozenSet<string> authorities, string[] added)
    {
        _authorities = authorities;
        _added = added;
    }

    public static OwnHosts None { get; } = new(FrozenSet<string>.Empty, []);

    /// <summary>The hosts of <paramref name="addresses"/>; one on a default port stands for both 80 and 443.</summary>
    public static OwnHosts Of(IEnumerable<Uri> addresses) => new(addresses.SelectMany(AuthoritiesOf).ToFrozenSet(StringComparer.Ordinal), []);

    public OwnHosts With(Uri address) => new(_authorities, [.. _added, .. AuthoritiesOf(address)]);

    public bool Contains(Uri destination)
    {
        var authority = Authority(CanonicalHost(destination), destination.Port);
        return _authorities.Contains(authority) || Array.IndexOf(_added, authority) >= 0;
    }

    public override string ToString() => string.Join(", ", _authorities.Concat(_added).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    private static IEnumerable<string> AuthoritiesOf(Uri address)
    {
        var host = CanonicalHost(address);
        yield return Authority(host, address.Port);
        if (address.IsDefaultPort)
        {
            // Served on a default port, the other scheme's default is this shortener too (usually a redirect to it).
            yield return Authority(host, 80);
            yield return Authority(host, 443);
        }
    }

    private static string Authority(string host, int port) => host + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <remarks>Uri already writes 2130706433, 0x7f.1 and 0177.0.0.1 as 127.0.0.1.</remarks>
    internal static string CanonicalHost(Uri uri)
    {
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (host is "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return Loopback;
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                return Loopback;
            }

            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                address.ScopeId = 0;
            }

            return address.ToString();
        }

        return host;
    }
}
