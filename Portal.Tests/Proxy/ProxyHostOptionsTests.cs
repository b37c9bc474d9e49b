using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>The proxy role refuses to start with settings it cannot use, and says which.</summary>
public sealed class ProxyHostOptionsTests(TestServers servers)
{
    [Theory]
    [InlineData("Proxy:MaxRequestBodySize", "0", "Proxy:MaxRequestBodySize must be a positive number of bytes")]
    [InlineData("Proxy:UpstreamTimeout", "00:00:00", "Proxy:UpstreamTimeout must be positive")]
    [InlineData("Proxy:ScopeRoutes:0", "users:reed GET users/**", "'users:reed GET users/**' does not start with a known scope")]
    [InlineData("Proxy:PublicRoutes:0", "GET users/**/x", "segments must be literal, '*', or a final '**'")]
    [InlineData("Proxy:Free:MonthlyRequests", "-1", "MonthlyRequests must be 0 (unlimited) or more")]
    [InlineData("Proxy:Enterprise:Requests", "1000001", "at most one request per microsecond")]
    public async Task BadSettings_StopTheStart_WithAClearMessage(string setting, string value, string message)
    {
        await using var app = await PortalApp.CreateAsync(servers, new Dictionary<string, string?>
        {
            ["Portal:Roles:0"] = "proxy",
            [setting] = value,
        });

        var failure = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(message, failure.ToString(), StringComparison.Ordinal);
    }
}
