using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Audit;

public sealed class WorkspaceActivityPageTests(TestServers servers) : PortalTest(servers)
{
    [Fact]
    public async Task ActivityPage_OpensForAMember_WithExportLinks()
    {
        using var client = App.CreatePortalClient();
        var userId = await WorkspaceSteps.UserIdAsync(App, await AccountSteps.RegisterAndSignInAsync(App, client));
        var ws = await WorkspaceSteps.CreateWorkspaceAsync(App, userId);

        var page = await client.GetAsync($"/workspaces/{ws}/activity");

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Equal($"/workspaces/{ws}/activity", page.Url.AbsolutePath);
        Assert.DoesNotContain("You do not have access", page.Text, StringComparison.Ordinal);
        Assert.Equal($"workspaces/{ws}/activity/export.csv", page.Document.QuerySelector("[data-testid='export-csv']")?.GetAttribute("href"));
        Assert.Equal($"workspaces/{ws}/activity/export.json", page.Document.QuerySelector("[data-testid='export-json']")?.GetAttribute("href"));
    }
}
