using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Members;

/// <summary>Roles, the last owner, ownership transfer, and the one audit event each change leaves.</summary>
public sealed class MemberRulesTests(TestServers servers) : PortalTest(servers)
{
    private async Task<Workspace> WorkspaceAsync(Core.Accounts.PortalUser owner) => await WorkspaceSteps.CreateWorkspaceAsync(App, owner);

    private Task<Outcome<WorkspaceRole>> ChangeRoleAsync(Core.Accounts.PortalUser by, Workspace workspace, string memberId, WorkspaceRole role) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ChangeMemberRole>().ExecuteAsync(WorkspaceSteps.ActorFor(by), workspace.Id, memberId, role));

    private Task<Outcome<string>> RemoveAsync(Core.Accounts.PortalUser by, Workspace workspace, string memberId) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<RemoveMember>().ExecuteAsync(WorkspaceSteps.ActorFor(by), workspace.Id, memberId));

    private async Task<Member> MemberOfAsync(Workspace workspace, Core.Accounts.PortalUser user)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<Member>().SingleAsync(m => m.WorkspaceId == workspace.Id && m.UserId == user.Id);
    }

    private async Task<List<AuditEvent>> EventsAsync(string action)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<AuditEvent>().Where(e => e.Action == action).ToListAsync();
    }

    [Fact]
    public async Task LastOwner_CanNeitherLeave_NorBeRemoved_NorBeDemoted()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceAsync(owner);
        var self = await MemberOfAsync(workspace, owner);

        Assert.Equal(FailureCode.Conflict, (await RemoveAsync(owner, workspace, self.Id)).Failure?.Code);
        Assert.Equal(FailureCode.Conflict, (await ChangeRoleAsync(owner, workspace, self.Id, WorkspaceRole.Admin)).Failure?.Code);
        Assert.Equal(WorkspaceRole.Owner, (await MemberOfAsync(workspace, owner)).Role);

        // With a second owner, the first may step down.
        var second = await WorkspaceSteps.CreateUserAsync(App);
        await WorkspaceSteps.AddMemberAsync(App, workspace, second, WorkspaceRole.Owner);
        Assert.True((await ChangeRoleAsync(owner, workspace, self.Id, WorkspaceRole.Admin)).Succeeded);
        var demoted = Assert.Single(await EventsAsync("member.role_changed"));
        Assert.Equal(("\"owner\"", "\"admin\""), WorkspaceSteps.ChangeOf(demoted, "role"));
        Assert.Contains(App.Smtp.Messages, m => m.To.ToString() == owner.Email && m.Subject!.Contains("role", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyAnOwner_MakesOrRemovesAnOwner()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceAsync(owner);
        var admin = await WorkspaceSteps.CreateUserAsync(App);
        var developer = await WorkspaceSteps.CreateUserAsync(App);
        await WorkspaceSteps.AddMemberAsync(App, workspace, admin, WorkspaceRole.Admin);
        var developerMember = await WorkspaceSteps.AddMemberAsync(App, workspace, developer, WorkspaceRole.Developer);
        var ownerMember = await MemberOfAsync(workspace, owner);

        Assert.Equal(FailureCode.Forbidden, (await ChangeRoleAsync(admin, workspace, developerMember.Id, WorkspaceRole.Owner)).Failure?.Code);
        Assert.Equal(FailureCode.Forbidden, (await RemoveAsync(admin, workspace, ownerMember.Id)).Failure?.Code);
        Assert.Equal(FailureCode.Forbidden, (await ChangeRoleAsync(developer, workspace, developerMember.Id, WorkspaceRole.Admin)).Failure?.Code);

        Assert.True((await ChangeRoleAsync(admin, workspace, developerMember.Id, WorkspaceRole.Billing)).Succeeded);
        Assert.True((await ChangeRoleAsync(owner, workspace, developerMember.Id, WorkspaceRole.Owner)).Succeeded);
        Assert.Equal(2, (await EventsAsync("member.role_changed")).Count);
    }

    [Fact]
    public async Task RemoveAndLeave_EachLeaveOneEvent_AndTheRemovedMemberHearsOfIt()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceAsync(owner);
        var viewer = await WorkspaceSteps.CreateUserAsync(App);
        var leaver = await WorkspaceSteps.CreateUserAsync(App);
        var viewerMember = await WorkspaceSteps.AddMemberAsync(App, workspace, viewer, WorkspaceRole.Viewer);
        var leaverMember = await WorkspaceSteps.AddMemberAsync(App, workspace, leaver, WorkspaceRole.Viewer);

        Assert.Equal(FailureCode.Forbidden, (await RemoveAsync(leaver, workspace, viewerMember.Id)).Failure?.Code);
        Assert.True((await RemoveAsync(owner, workspace, viewerMember.Id)).Succeeded);
        Assert.True((await RemoveAsync(leaver, workspace, leaverMember.Id)).Succeeded);

        var removed = Assert.Single(await EventsAsync("member.removed"));
        Assert.Equal(("\"viewer\"", "null"), WorkspaceSteps.ChangeOf(removed, "role"));
        Assert.Single(await EventsAsync("member.left"));
        await App.Smtp.WaitForAsync(viewer.Email!, "removed");
        Assert.DoesNotContain(App.Smtp.Messages, m => m.To.ToString() == leaver.Email);
    }

    [Fact]
    public async Task TransferOwnership_MakesTheMemberOwner_AndTheOwnerAdmin_InOneEvent()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceAsync(owner);
        var developer = await WorkspaceSteps.CreateUserAsync(App);
        var developerMember = await WorkspaceSteps.AddMemberAsync(App, workspace, developer, WorkspaceRole.Developer);

        var refused = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<TransferOwnership>().ExecuteAsync(WorkspaceSteps.ActorFor(developer), workspace.Id, developerMember.Id));
        Assert.Equal(FailureCode.Forbidden, refused.Failure?.Code);

        var transferred = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<TransferOwnership>().ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, developerMember.Id));
        Assert.True(transferred.Succeeded);
        Assert.Equal(WorkspaceRole.Owner, (await MemberOfAsync(workspace, developer)).Role);
        Assert.Equal(WorkspaceRole.Admin, (await MemberOfAsync(workspace, owner)).Role);
        var recorded = Assert.Single(await EventsAsync("workspace.ownership_transferred"));
        Assert.Equal(("\"developer\"", "\"owner\""), WorkspaceSteps.ChangeOf(recorded, "newOwnerPreviousRole"));
    }

    [Fact]
    public async Task InvitationChanges_EachLeaveOneEvent()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceAsync(owner);
        var portal = new Uri("http://localhost/");
        var invitation = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<InviteMember>().ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, "someone@example.com", WorkspaceRole.Billing, portal));
        await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<InviteMember>().ResendAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, invitation.Value!.Id, portal));
        Assert.True((await ChangeRoleAsync(owner, workspace, invitation.Value!.Id, WorkspaceRole.Viewer)).Succeeded);
        Assert.True((await RemoveAsync(owner, workspace, invitation.Value.Id)).Succeeded);

        Assert.Equal(("null", "\"billing\""), WorkspaceSteps.ChangeOf(Assert.Single(await EventsAsync("invitation.created")), "role"));
        Assert.Single(await EventsAsync("invitation.resent"));
        Assert.Equal(("\"billing\"", "\"viewer\""), WorkspaceSteps.ChangeOf(Assert.Single(await EventsAsync("invitation.role_changed")), "role"));
        Assert.Equal(("\"pending\"", "\"revoked\""), WorkspaceSteps.ChangeOf(Assert.Single(await EventsAsync("invitation.revoked")), "status"));
    }
}
