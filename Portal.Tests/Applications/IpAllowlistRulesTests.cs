using System.Net;
using Portal.Core;
using Portal.Core.Applications;

namespace Portal.Tests.Applications;

/// <summary>The allowlist's validation, shared by the settings page and the control API.</summary>
public sealed class IpAllowlistRulesTests
{
    private static List<string> Canonical(params string?[] entries)
    {
        var parsed = IpAllowlistRules.Parse(entries);
        Assert.True(parsed.Succeeded, parsed.Failure?.Message);
        return IpAllowlistRules.Format(parsed.Value);
    }

    private static Failure Refused(params string?[] entries)
    {
        var parsed = IpAllowlistRules.Parse(entries);
        Assert.False(parsed.Succeeded, $"accepted: {string.Join(", ", parsed.Value ?? [])}");
        Assert.Equal(FailureCode.InvalidRequest, parsed.Failure.Code);
        return parsed.Failure;
    }

    [Fact]
    public void IPv4AndIPv6_RangesAndBareAddresses_AreKept_InCanonicalForm()
    {
        Assert.Equal(
            ["10.0.0.0/8", "203.0.113.7/32", "0.0.0.0/0", "2001:db8::/32", "2001:db8::1/128", "::/0", "192.168.1.0/24"],
            Canonical("10.0.0.0/8", "203.0.113.7", "0.0.0.0/0", "2001:DB8:0:0::/32", " 2001:db8::1 ", "::/0", "192.168.1.0/24"));
    }

    [Fact]
    public void AnEmptyList_IsValid_AndAllowsEverything()
    {
        var parsed = IpAllowlistRules.Parse([]);
        Assert.True(parsed.Succeeded);
        Assert.Empty(parsed.Value);
    }

    [Fact]
    public void IPv4MappedIPv6Ranges_BecomeIPv4()
    {
        Assert.Equal(["10.0.0.0/8", "198.51.100.7/32"], Canonical("::ffff:10.0.0.0/104", "::ffff:198.51.100.7"));
        Assert.Equal("ipAllowlist[0]", Refused("::ffff:0:0/95").Field);
    }

    [Fact]
    public void HostBitsSet_AreRefused_NamingTheEntryAndTheRangeItMightMean()
    {
        var failure = Refused("10.0.0.0/8", "192.168.0.0/16", "10.1.2.3/8");
        Assert.Equal("ipAllowlist[2]", failure.Field);
        Assert.Contains("10.0.0.0/8", failure.Message, StringComparison.Ordinal);

        var v6 = Refused("2001:db8::1/64");
        Assert.Equal("ipAllowlist[0]", v6.Field);
        Assert.Contains("2001:db8::/64", v6.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("localhost")]
    [InlineData("10.0.0")]
    [InlineData("10")]
    [InlineData("10.0.0.256")]
    [InlineData("010.0.0.1")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("10.0.0.0 /8")]
    [InlineData("2001:db8::/129")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:db8:::1")]
    [InlineData("10.0.0.0/8,10.1.0.0/16")]
    [InlineData("1111111111111111111111111111111111111111111111111111111111111111111111")]
    public void BadEntries_AreRefused_NamingTheEntry(string? entry)
    {
        var failure = Refused("203.0.113.0/24", entry);
        Assert.Equal("ipAllowlist[1]", failure.Field);
        Assert.False(string.IsNullOrWhiteSpace(failure.Message));
    }

    [Fact]
    public void FiftyRanges_AreAccepted_FiftyOne_AreNot()
    {
        var fifty = Enumerable.Range(0, 50).Select(i => $"10.{i}.0.0/16").ToArray();
        Assert.Equal(50, Canonical(fifty).Count);

        var failure = Refused([.. fifty, "192.0.2.0/24"]);
        Assert.Equal("ipAllowlist", failure.Field);
        Assert.Contains("50", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicates_AreRefused_AlsoWhenWrittenDifferently()
    {
        Assert.Equal("ipAllowlist[1]", Refused("10.0.0.0/8", "10.0.0.0/8").Field);
        Assert.Equal("ipAllowlist[2]", Refused("203.0.113.7", "10.0.0.0/8", "203.0.113.7/32").Field);
        Assert.Equal("ipAllowlist[1]", Refused("2001:db8::/32", "2001:0DB8:0::/32").Field);
        Assert.Equal("ipAllowlist[1]", Refused("10.0.0.0/8", "::ffff:10.0.0.0/104").Field);

        // Overlapping is not duplicated: both stay.
        Assert.Equal(["10.0.0.0/8", "10.1.0.0/16"], Canonical("10.0.0.0/8", "10.1.0.0/16"));
    }

    [Fact]
    public void TheFieldName_IsTheCallers()
    {
        Assert.Equal("allow[0]", IpAllowlistRules.Parse(["nope"], "allow").Failure!.Field);
        Assert.Equal(IPNetwork.Parse("10.0.0.0/8"), IpAllowlistRules.ParseEntry("10.0.0.0/8", "x").Value);
    }
}
