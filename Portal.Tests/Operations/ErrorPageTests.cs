using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Operations;

public sealed class ErrorPageTests(TestServers servers) : PortalTest(servers)
{
    // A database that does not exist: every page that needs it fails unexpectedly.
    protected override Task<PortalApp> CreateAppAsync() =>
        Task.FromResult(new PortalApp(Servers, Servers.Postgres.ConnectionString("no_such_database")));

    [Fact]
    public async Task UnexpectedError_ShowsARequestId_NotAStackTrace()
    {
        using var client = App.CreatePortalClient();

        var page = await client.GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.InternalServerError, page.Response.StatusCode);
        Assert.Contains("Something went wrong", page.Text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(page.TestId("request-id")));
        Assert.DoesNotContain("Exception", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", page.Text, StringComparison.Ordinal);
    }
}
