using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Workspaces;

/// <summary>Who may open each workspace page: every role of the workspace, nobody else.</summary>
public sealed class WorkspacePageAccessTests(TestServers servers) : PortalTest(servers)
{
    public static TheoryData<string> Pages => ["", "/members", "/settings", "/usage"];

    private async Task<(Workspace Workspace, PortalClient Client)> SignedInMemberAsync(WorkspaceRole? role)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var user = await WorkspaceSteps.CreateUserAsync(App);
        if (role is { } r)
        {
            await WorkspaceSteps.AddMemberAsync(App, workspace, user, r);
        }

        var client = App.CreatePortalClient();
        await AccountSteps.SignInAsync(client, user.Email!);
        return (workspace, client);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task EveryRole_OpensThePage(string page)
    {
        foreach (var role in Enum.GetValues<WorkspaceRole>())
        {
            var (workspace, client) = await SignedInMemberAsync(role);
            using (client)
            {
                var response = await client.GetAsync($"/workspaces/{workspace.Id}{page}");
                Assert.Equal(HttpStatusCode.OK, response.Response.StatusCode);
                Assert.True(response.TestId("workspace-name-heading")?.Contains(workspace.Name, StringComparison.Ordinal) == true, $"{role}: {response.Text}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task AMemberOfAnotherWorkspace_GetsNotFound_AndSeesNothing(string page)
    {
        var (workspace, client) = await SignedInMemberAsync(role: null);
        using (client)
        {
            var response = await client.GetAsync($"/workspaces/{workspace.Id}{page}");
            Assert.Equal(HttpStatusCode.NotFound, response.Response.StatusCode);
            Assert.DoesNotContain(workspace.Name, response.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnonymousVisitor_IsSentToSignIn()
    {
        var (workspace, client) = await SignedInMemberAsync(WorkspaceRole.Viewer);
        using (client)
        {
            await client.SignOutAsync();
            var response = await client.GetAsync($"/workspaces/{workspace.Id}/members");
            Assert.Equal("/Account/Login", response.Url.AbsolutePath);
        }
    }

    [Fact]
    public async Task Settings_ShowTheDangerZoneOnlyToOwners()
    {
        var (workspace, admin) = await SignedInMemberAsync(WorkspaceRole.Admin);
        using (admin)
        {
            Assert.Null((await admin.GetAsync($"/workspaces/{workspace.Id}/settings")).TestId("danger-zone"));
        }
    }

    [Fact]
    public async Task RequiredTwoFactor_SendsMembersWithoutItToSetItUp()
    {
        var (workspace, client) = await SignedInMemberAsync(WorkspaceRole.Developer);
        await using (var db = App.CreateDbContext())
        {
            await db.Set<Workspace>().Where(w => w.Id == workspace.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.RequireTwoFactor, true), TestContext.Current.CancellationToken);
        }

        using (client)
        {
            var response = await client.GetAsync($"/workspaces/{workspace.Id}/members");
            Assert.Equal("/Account/Manage/TwoFactorAuthentication", response.Url.AbsolutePath);
            Assert.NotNull(response.TestId("2fa-required"));
        }
    }
}
