using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Applications;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Applications;

/// <summary>The applications list and the application page as the server renders them: who sees what, and 404 for outsiders.</summary>
public sealed class ApplicationPagesTests(TestServers servers) : PortalTest(servers)
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
    };

    private async Task<Application> CreateApplicationAsync(PortalUser owner, Workspace workspace, string name)
    {
        var created = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<CreateApplication>()
            .ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, new NewApplication(name, null, ApplicationEnvironment.Production, "us-east-1")));
        Assert.True(created.Succeeded, created.Failure?.Message);
        return created.Value.Application;
    }

    private async Task<PortalClient> SignedInAsync(PortalUser user)
    {
        var client = App.CreatePortalClient();
        await AccountSteps.SignInAsync(client, user.Email!);
        return client;
    }

    [Fact]
    public async Task List_CountsTheWorkspacesApplications_AndOnlyManagersGetTheCreateButton()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var viewer = await WorkspaceSteps.CreateUserAsync(App);
        await WorkspaceSteps.AddMemberAsync(App, workspace, viewer, WorkspaceRole.Viewer);
        await CreateApplicationAsync(owner, workspace, "Storefront");
        await CreateApplicationAsync(owner, workspace, "Back office");

        using var ownerClient = await SignedInAsync(owner);
        using var viewerClient = await SignedInAsync(viewer);
        var asOwner = await ownerClient.GetAsync($"/workspaces/{workspace.Id}/applications");
        var asViewer = await viewerClient.GetAsync($"/workspaces/{workspace.Id}/applications");
        var home = await ownerClient.GetAsync($"/workspaces/{workspace.Id}");

        Assert.Equal(HttpStatusCode.OK, asViewer.Response.StatusCode);
        Assert.StartsWith("2 applications.", asViewer.TestId("applications-count"), StringComparison.Ordinal);
        Assert.NotNull(asOwner.TestId("create-application"));
        Assert.Null(asViewer.TestId("create-application"));
        Assert.Null(asOwner.TestId("plan-limit"));
        Assert.Contains("Storefront", home.TestId("workspace-applications"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_AtTheFreePlanLimit_ExplainsIt_AndDisablesCreate()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        for (var i = 1; i <= 3; i++)
        {
            await CreateApplicationAsync(owner, workspace, $"App {i}");
        }

        using var client = await SignedInAsync(owner);
        var page = await client.GetAsync($"/workspaces/{workspace.Id}/applications");

        Assert.Contains("The free plan allows 3 applications and this workspace has 3", page.TestId("plan-limit"), StringComparison.Ordinal);
        Assert.True(page.Document.QuerySelector("[data-testid='create-application']")!.HasAttribute("disabled"));
    }

    [Fact]
    public async Task ApplicationPage_ShowsTheHeader_ApiUrl_AndTheStepsWaitingForAWorker()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = await CreateApplicationAsync(owner, workspace, "Storefront");

        using var client = await SignedInAsync(owner);
        var page = await client.GetAsync($"/workspaces/{workspace.Id}/applications/{application.Id}");

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Equal("Storefront", page.TestId("application-name"));
        // Without Proxy:PublicUrl the API URL is the portal's configured public address, never the request's host.
        Assert.Equal($"{PortalApp.TestServerAddress}v1/{application.Id}", page.TestId("application-api-url"));
        Assert.Equal("us-east-1", page.TestId("application-region"));
        Assert.StartsWith("Waiting for a worker", page.TestId("provisioning-summary"), StringComparison.Ordinal);
        Assert.Equal("pending", page.Document.QuerySelector("[data-testid='step-rollout']")?.GetAttribute("data-status"));
        Assert.Contains("Wait for the server to become ready", page.TestId("step-rollout"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMemberOfAnotherWorkspace_GetsNotFound_ForTheListAndTheApplicationPage()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = await CreateApplicationAsync(owner, workspace, "Secret project");
        var outsider = await WorkspaceSteps.CreateUserAsync(App);
        var outsidersWorkspace = await WorkspaceSteps.CreateWorkspaceAsync(App, outsider);

        using var client = await SignedInAsync(outsider);
        foreach (var url in new[]
        {
            $"/workspaces/{workspace.Id}/applications",
            $"/workspaces/{workspace.Id}/applications/{application.Id}",
            // Their own workspace in the address does not open another workspace's application.
            $"/workspaces/{outsidersWorkspace.Id}/applications/{application.Id}",
        })
        {
            var page = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, page.Response.StatusCode);
            Assert.DoesNotContain("Secret project", page.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(application.Id, page.Text, StringComparison.Ordinal);
        }
    }
}
