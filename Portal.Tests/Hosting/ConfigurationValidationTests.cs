using Microsoft.Extensions.Configuration;
using Portal.Core;
using Portal.Hosting;

namespace Portal.Tests.Hosting;

public sealed class ConfigurationValidationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void MissingRoles_StopStartUp_NamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PortalOptions.Read(Configuration(), isDevelopment: false));

        Assert.Contains("Portal:Roles", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRole_StopsStartUp_NamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:Roles:1", "wrker")), isDevelopment: false));

        Assert.Contains("wrker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RelativePublicUrl_StopsStartUp()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:PublicUrl", "portal.example.com")), isDevelopment: false));

        Assert.Contains("Portal:PublicUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingConnectionString_StopsStartUp_NamingTheSettingAndItsVariable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Configuration().GetRequiredConnectionString("Portal"));

        Assert.Contains("ConnectionStrings:Portal", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Portal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidSettings_AreRead()
    {
        var options = PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:Roles:1", "Worker"), ("Portal:PublicUrl", "https://portal.example.com")), isDevelopment: false);

        Assert.True(options.Runs(PortalOptions.WorkerRole));
        Assert.False(options.Runs(PortalOptions.ProxyRole));
        Assert.Equal(new Uri("https://portal.example.com"), options.PublicUrl);
    }

    [Fact]
    public void MissingPublicUrl_OutsideDevelopment_StopsStartUp_NamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PortalOptions.Read(Configuration(("Portal:Roles:0", "web")), isDevelopment: false));

        Assert.Contains("Portal:PublicUrl", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:5080", "http://localhost:5080/")]
    [InlineData("http://+:8080;https://+:8443", "http://localhost:8080/")]
    [InlineData(null, "http://localhost:5000/")]
    public void MissingPublicUrl_InDevelopment_IsThePortalsOwnAddress(string? urls, string expected)
    {
        var settings = new List<(string, string)> { ("Portal:Roles:0", "web") };
        if (urls is not null)
        {
            settings.Add(("urls", urls));
        }

        Assert.Equal(new Uri(expected), PortalOptions.Read(Configuration([.. settings]), isDevelopment: true).PublicUrl);
    }

    [Fact]
    public void PublicUrlWithAPath_StopsStartUp()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:PublicUrl", "https://portal.example.com/app")), isDevelopment: false));

        Assert.Contains("Portal:PublicUrl", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Portal:ForwardedHeaders:KnownNetworks:0", "10.0.0.1/8")]
    [InlineData("Portal:ForwardedHeaders:KnownNetworks:0", "ingress")]
    [InlineData("Portal:ForwardedHeaders:KnownProxies:0", "10.0.0.300")]
    public void InvalidTrustedProxy_StopsStartUp_NamingTheSetting(string setting, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:PublicUrl", "https://portal.example.com"), (setting, value)), isDevelopment: false));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOldTrustForwardedHeadersSetting_StopsStartUp_NamingItsReplacement()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PortalOptions.Read(
            Configuration(("Portal:Roles:0", "web"), ("Portal:PublicUrl", "https://portal.example.com"), ("Portal:TrustForwardedHeaders", "true")), isDevelopment: false));

        Assert.Contains("Portal:ForwardedHeaders:KnownNetworks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrustedProxies_AreRead()
    {
        var options = PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:PublicUrl", "https://portal.example.com"),
            ("Portal:ForwardedHeaders:KnownNetworks:0", "10.244.0.0/16"), ("Portal:ForwardedHeaders:KnownProxies:0", "192.0.2.10")), isDevelopment: false);

        Assert.True(options.ForwardedHeaders.Enabled);
        Assert.Equal([System.Net.IPNetwork.Parse("10.244.0.0/16")], options.ForwardedHeaders.Networks);
        Assert.Equal(1, options.ForwardedHeaders.ForwardLimit);
    }
}
