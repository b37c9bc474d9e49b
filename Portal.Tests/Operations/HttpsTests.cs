using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Operations;

public sealed class HttpsTests(TestServers servers) : PortalTest(servers)
{
    // As outside Development: HTTPS required, the public port known.
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Portal:RequireHttps"] = "true",
        ["https_port"] = "443",
    };

    [Fact]
    public async Task PlainHttp_IsRedirectedToHttps()
    {
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(new Uri("/Account/Login", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https", response.Headers.Location?.Scheme);
    }
}
