using System.Net;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Tests.Limits;

public class ClientAddressesTests
{
    [Theory]
    [InlineData("198.51.100.4", null, "198.51.100.4")]
    [InlineData("198.51.100.4", "203.0.113.7", "198.51.100.4")]
    [InlineData("127.0.0.1", "203.0.113.7", "203.0.113.7")]
    [InlineData("127.0.0.1", "203.0.113.7:4711", "203.0.113.7")]
    [InlineData("127.0.0.1", "spoofed, 1.2.3.4, 203.0.113.7", "203.0.113.7")]
    [InlineData("127.0.0.1", "203.0.113.7, 10.1.2.3", "203.0.113.7")]
    [InlineData("127.0.0.1", "[2001:db8:1:2::10]:443", "2001:db8:1:2::/64")]
    [InlineData("127.0.0.1", "not-an-address", "127.0.0.1")]
    [InlineData("::ffff:198.51.100.4", null, "198.51.100.4")]
    [InlineData("10.1.2.3", "203.0.113.9", "203.0.113.9")]
    public void The_client_is_the_right_most_untrusted_forwarded_address_behind_a_trusted_proxy(string remote, string? forwardedFor, string expected)
    {
        var addresses = Addresses(trustedProxies: ["10.0.0.0/8"]);
        var context = Request(remote, ("X-Forwarded-For", forwardedFor));
        Assert.Equal(expected, addresses.Of(context));
    }

    [Fact]
    public void A_named_header_of_a_trusted_proxy_wins_and_one_from_an_untrusted_peer_is_ignored()
    {
        var addresses = Addresses(header: "X-Azure-ClientIP");
        Assert.Equal("203.0.113.7", addresses.Of(Request("127.0.0.1", ("X-Azure-ClientIP", "203.0.113.7"), ("X-Forwarded-For", "198.51.100.1"))));
        Assert.Equal("198.51.100.4", addresses.Of(Request("198.51.100.4", ("X-Azure-ClientIP", "203.0.113.7"))));
    }

    [Fact]
    public void Any_forwarded_header_gives_an_address_and_a_spoofed_left_part_never_hides_the_peer_that_sent_it() =>
        Gen.Select(Gen.String, Gen.Select(Gen.Byte, Gen.Byte)).Sample((junk, peer) =>
        {
            var addresses = Addresses(trustedProxies: ["10.0.0.0/8"]);
            var real = $"198.51.{peer.Item1}.{peer.Item2}";
            Assert.Equal(real, addresses.Of(Request("127.0.0.1", ("X-Forwarded-For", $"{junk.Replace('\r', ' ').Replace('\n', ' ')}, {real}"))));
            Assert.NotNull(addresses.Of(Request("127.0.0.1", ("X-Forwarded-For", junk.Replace('\r', ' ').Replace('\n', ' ')))));
        });

    private static ClientAddresses Addresses(string[]? trustedProxies = null, string? header = null) =>
        new(Options.Create(new ShortenerOptions { TrustedProxies = [.. trustedProxies ?? []], ClientAddressHeader = header }));

    private static DefaultHttpContext Request(string remote, params (string Name, string? Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        foreach (var (name, value) in headers)
        {
            if (value is not null)
            {
                context.Request.Headers[name] = value;
            }
        }

        return context;
    }
}
