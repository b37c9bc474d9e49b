using System.Net;
using Portal.Core.Applications;
using Portal.Core.Proxy;
using Portal.Core.Workspaces;

namespace Portal.Tests.Proxy;

/// <summary><see cref="ProxyApplication.Allows"/>: the proxy's comparison of a client address with the allowlist.</summary>
public sealed class ProxyApplicationAllowlistTests
{
    private static ProxyApplication With(params string[] ranges) =>
        new("app_1", "ws_1", ApplicationStatus.Active, false, "eu-test-1", "http://upstream", WorkspacePlan.Free)
        {
            IpAllowlist = ranges.Select(IPNetwork.Parse).ToList(),
        };

    private static bool Allows(ProxyApplication application, string address) => application.Allows(IPAddress.Parse(address));

    [Fact]
    public void AnEmptyList_AllowsEveryAddress()
    {
        var application = With();
        Assert.True(Allows(application, "203.0.113.7"));
        Assert.True(Allows(application, "2001:db8::1"));
        Assert.True(Allows(application, "::ffff:203.0.113.7"));
    }

    [Fact]
    public void IPv4Ranges_AllowTheirAddresses_Only()
    {
        var application = With("10.0.0.0/8", "203.0.113.7/32");
        Assert.True(Allows(application, "10.0.0.0"));
        Assert.True(Allows(application, "10.255.255.255"));
        Assert.True(Allows(application, "203.0.113.7"));
        Assert.False(Allows(application, "11.0.0.0"));
        Assert.False(Allows(application, "9.255.255.255"));
        Assert.False(Allows(application, "203.0.113.8"));
        Assert.False(Allows(application, "2001:db8::1"));
    }

    [Fact]
    public void IPv6Ranges_AllowTheirAddresses_Only()
    {
        var application = With("2001:db8::/32");
        Assert.True(Allows(application, "2001:db8::1"));
        Assert.True(Allows(application, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
        Assert.False(Allows(application, "2001:db9::1"));
        Assert.False(Allows(application, "10.0.0.1"));

        var single = With("2001:db8:abcd::1/128");
        Assert.True(Allows(single, "2001:db8:abcd::1"));
        Assert.False(Allows(single, "2001:db8:abcd::2"));
    }

    [Fact]
    public void TheCheck_AllocatesNothing_ForIPv4_IPv6_OrIPv4MappedClients()
    {
        var application = With("10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "203.0.113.0/24");
        var v4 = IPAddress.Parse("203.0.113.9");
        var v6 = IPAddress.Parse("2001:db9::1");
        var mapped = IPAddress.Parse("::ffff:192.168.3.4");
        Assert.True(application.Allows(v4));
        Assert.False(application.Allows(v6));
        Assert.True(application.Allows(mapped));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        for (var i = 0; i < 1000; i++)
        {
            allowed += (application.Allows(v4) ? 1 : 0) + (application.Allows(v6) ? 1 : 0) + (application.Allows(mapped) ? 1 : 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2000, allowed);
    }

    [Fact]
    public void IPv4MappedIPv6Clients_AreComparedAsIPv4()
    {
        // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d.
        var application = With("10.0.0.0/8", "198.51.100.7/32");
        Assert.True(Allows(application, "::ffff:10.1.2.3"));
        Assert.True(Allows(application, "::ffff:198.51.100.7"));
        Assert.False(Allows(application, "::ffff:198.51.100.8"));
        Assert.False(Allows(application, "::ffff:11.1.2.3"));

        // An IPv6 range does not let IPv4 clients in, even one that spans the mapped block.
        var everyIPv6 = With("::/0");
        Assert.True(Allows(everyIPv6, "2001:db8::1"));
        Assert.False(Allows(everyIPv6, "::ffff:10.1.2.3"));
        Assert.False(Allows(everyIPv6, "10.1.2.3"));
    }
}
