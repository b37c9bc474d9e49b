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
        var error = Assert.Throws<InvalidOperationException>(() => PortalOptions.Read(Configuration()));

        Assert.Contains("Portal:Roles", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRole_StopsStartUp_NamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:Roles:1", "wrker"))));

        Assert.Contains("wrker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RelativePublicUrl_StopsStartUp()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:PublicUrl", "portal.example.com"))));

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
        var options = PortalOptions.Read(Configuration(("Portal:Roles:0", "web"), ("Portal:Roles:1", "Worker"), ("Portal:PublicUrl", "https://portal.example.com")));

        Assert.True(options.Runs(PortalOptions.WorkerRole));
        Assert.False(options.Runs(PortalOptions.ProxyRole));
        Assert.Equal(new Uri("https://portal.example.com"), options.PublicUrl);
    }
}
