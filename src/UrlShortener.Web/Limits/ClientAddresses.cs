using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Limits;

/// <summary>
/// Who a request comes from, for per-client limits. Behind a trusted proxy (<c>Shortener:TrustedProxies</c>, and
/// loopback: the Functions host forwards from there) it is the proxy's <c>Shortener:ClientAddressHeader</c> when
/// one is named (Azure Front Door's <c>X-Azure-ClientIP</c>), or the right-most untrusted <c>X-Forwarded-For</c>
/// entry. An IPv6 client is its /64: one host holds a whole /64.
/// </summary>
/// <remarks>
/// Not the framework's forwarded-headers middleware: that runs on every request, and only the redirects that find
/// nothing need a client address, so the hot redirect reads no header for it.
/// </remarks>
public sealed class ClientAddresses
{
    private readonly IPNetwork[] _trusted;
    private readonly string? _header;

    public ClientAddresses(IOptions<ShortenerOptions> options)
    {
        var settings = options.Value;
        _trusted = [new IPNetwork(IPAddress.Loopback, 8), new IPNetwork(IPAddress.IPv6Loopback, 128), .. settings.TrustedProxies.Select(ParseNetwork)];
        _header = string.IsNullOrWhiteSpace(settings.ClientAddressHeader) ? null : settings.ClientAddressHeader;
    }

    /// <summary>The client's partition key: an IPv4 address, or an IPv6 /64 prefix.</summary>
    public string Of(HttpContext context) => Partition(AddressOf(context));

    /// <summary>The client's address: the connection's, or the one a trusted proxy named.</summary>
    public IPAddress AddressOf(HttpContext context)
    {
        // No remote address: a request from within the process (tests), trusted as loopback.
        var remote = context.Connection.RemoteIpAddress is { } address ? Normalize(address) : IPAddress.Loopback;
        if (IsTrusted(remote))
        {
            var headers = context.Request.Headers;
            if (_header is not null && TryParse(headers[_header].ToString(), out var named))
            {
                remote = named;
            }
            else
            {
                var forwarded = headers["X-Forwarded-For"].ToString();
                foreach (var hop in forwarded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    if (!TryParse(hop, out var hopAddress))
                    {
                        break;
                    }

                    remote = hopAddress;
                    if (!IsTrusted(hopAddress))
                    {
                        break;
                    }
                }
            }
        }

        return remote;
    }

    /// <summary>The bytes that tell one client from another: an IPv4 address's 4, an IPv6 address's /64 prefix.</summary>
    public static int PartitionBytes(IPAddress address, Span<byte> destination)
    {
        address.TryWriteBytes(destination, out var written);
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? 8 : written;
    }

    /// <summary>True when <paramref name="text"/> is an address or a CIDR network (for options validation).</summary>
    internal static bool IsNetwork(string text) => IPNetwork.TryParse(text, out _) || IPAddress.TryParse(text, out _);

    internal static string Partition(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPNetwork ParseNetwork(string text)
    {
        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        var address = Normalize(IPAddress.Parse(text));
        return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
    }

    // "203.0.113.7", "203.0.113.7:4711", "[2001:db8::1]:443", "2001:db8::1".
    private static bool TryParse(string text, out IPAddress address)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out address!) || (IPEndPoint.TryParse(text, out var endPoint) && (address = endPoint.Address) is not null))
        {
            address = Normalize(address);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
