using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Members;

/// <summary>Invitations from the emailed link to the membership, with the real SMTP server and the Hangfire worker.</summary>
public sealed class InvitationTests(TestServers servers) : PortalTest(servers)
{
    private static readonly Uri PortalUrl = PortalApp.TestServerAddress;

    protected override Dictionary<string, string?> Settings => new() { ["Portal:Roles:1"] = "worker" };

    private async Task<(Workspace Workspace, PortalUser Owner)> WorkspaceAsync()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        return (await WorkspaceSteps.CreateWorkspaceAsync(App, owner), owner);
    }

    private Task<Outcome<Invitation>> InviteAsync(Workspace workspace, PortalUser by, string email, WorkspaceRole role = WorkspaceRole.Developer) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<InviteMember>().ExecuteAsync(WorkspaceSteps.ActorFor(by), workspace.Id, email, role, PortalUrl));

    private async Task<string> InvitationLinkAsync(string email, int skip = 0)
    {
        var message = await App.Smtp.WaitForAsync(email, "Join", skip);
        return TestSmtpServer.LinkIn(message, "/invitations/accept");
    }

    private async Task<Member?> MembershipAsync(Workspace workspace, string email)
    {
        await using var db = App.CreateDbContext();
        var normalized = email.ToUpperInvariant();
        return await db.Set<Member>().SingleOrDefaultAsync(m => m.WorkspaceId == workspace.Id && m.User!.NormalizedEmail == normalized);
    }

    [Fact]
    public async Task Invite_ExistingUser_SignsInFromTheLinkAndJoinsWithTheRole()
    {
        var (workspace, owner) = await WorkspaceAsync();
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        Assert.True((await InviteAsync(workspace, owner, email)).Succeeded);

        var link = await InvitationLinkAsync(email);
        var landing = await client.GetAsync(link);
        Assert.Contains(workspace.Name, landing.TestId("invitation-summary"), StringComparison.Ordinal);
        var signInHref = landing.Document.QuerySelector("[data-testid='invitation-sign-in']")!.GetAttribute("href")!;

        var accept = await client.SubmitAsync("/" + signInHref, "login",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = AccountSteps.StrongPassword });
        Assert.Equal("/invitations/accept", accept.Url.AbsolutePath);
        var joined = await client.SubmitAsync(accept, "accept-invitation", new Dictionary<string, string>());

        Assert.Equal($"/workspaces/{workspace.Id}", joined.Url.AbsolutePath);
        Assert.Equal(WorkspaceRole.Developer, (await MembershipAsync(workspace, email))?.Role);
        await using var db = App.CreateDbContext();
        var joinedEvent = await db.Set<AuditEvent>().SingleAsync(e => e.Action == "member.joined", TestContext.Current.CancellationToken);
        Assert.Equal(workspace.Id, joinedEvent.WorkspaceId);
        Assert.Equal(("null", "\"developer\""), WorkspaceSteps.ChangeOf(joinedEvent, "role"));
        Assert.Equal(InvitationStatus.Accepted, (await db.Set<Invitation>().SingleAsync(TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task Invite_NewUser_RegistersFromTheLink_WithTheEmailConfirmedByTheInvitation()
    {
        var (workspace, owner) = await WorkspaceAsync();
        var email = AccountSteps.NewEmail("newcomer");
        Assert.True((await InviteAsync(workspace, owner, email, WorkspaceRole.Viewer)).Succeeded);
        using var client = App.CreatePortalClient();

        var landing = await client.GetAsync(await InvitationLinkAsync(email));
        var registerHref = landing.Document.QuerySelector("[data-testid='invitation-register']")!.GetAttribute("href")!;
        var register = await client.GetAsync("/" + registerHref);
        Assert.Equal(email, ((AngleSharp.Html.Dom.IHtmlInputElement)register.Document.QuerySelector("input[name='Input.Email']")!).Value);

        var joined = await client.SubmitAsync(register, "register", new Dictionary<string, string>
        {
            ["Input.Password"] = AccountSteps.StrongPassword,
            ["Input.ConfirmPassword"] = AccountSteps.StrongPassword,
        });

        Assert.Equal($"/workspaces/{workspace.Id}", joined.Url.AbsolutePath);
        Assert.Equal(WorkspaceRole.Viewer, (await MembershipAsync(workspace, email))?.Role);
        await using var db = App.CreateDbContext();
        var normalized = email.ToUpperInvariant();
        Assert.True((await db.Users.SingleAsync(u => u.NormalizedEmail == normalized, TestContext.Current.CancellationToken)).EmailConfirmed);
        Assert.DoesNotContain(App.Smtp.Messages, m => m.Subject == "Confirm your email address");
    }

    [Fact]
    public async Task Invite_LinkExpiresAfterSevenDays()
    {
        var (workspace, owner) = await WorkspaceAsync();
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        await InviteAsync(workspace, owner, email);
        var link = await InvitationLinkAsync(email);

        App.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var page = await client.GetAsync(link);

        Assert.Contains("expired", page.TestId("invitation-error"), StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("[data-testid='invitation-accept']"));
        Assert.Null(await MembershipAsync(workspace, email));
    }

    [Fact]
    public async Task Invite_RevokedLink_IsRefused()
    {
        var (workspace, owner) = await WorkspaceAsync();
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        var invitation = (await InviteAsync(workspace, owner, email)).Value!;
        var link = await InvitationLinkAsync(email);

        var revoked = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<InviteMember>().RevokeAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, invitation.Id));
        Assert.True(revoked.Succeeded);

        var page = await client.GetAsync(link);
        Assert.Contains("not valid", page.TestId("invitation-error"), StringComparison.Ordinal);
        Assert.Null(await MembershipAsync(workspace, email));
    }

    [Fact]
    public async Task Invite_ForAnotherEmail_IsRefusedToTheSignedInAccount()
    {
        var (workspace, owner) = await WorkspaceAsync();
        var invited = AccountSteps.NewEmail("invited");
        await InviteAsync(workspace, owner, invited);
        var link = await InvitationLinkAsync(invited);
        using var client = App.CreatePortalClient();
        var other = await AccountSteps.RegisterAndSignInAsync(App, client);

        var page = await client.GetAsync(link);
        Assert.Contains($"sent to {invited}", page.TestId("invitation-error"), StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("[data-testid='invitation-accept']"));

        // Posting the form anyway changes nothing.
        var token = new Uri(link).Query.Split("token=")[1];
        var actor = Actor.User(await WorkspaceSteps.UserIdAsync(App, other), other);
        var accepted = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<AcceptInvitation>().ExecuteAsync(actor, Uri.UnescapeDataString(token)));
        Assert.Equal(FailureCode.Forbidden, accepted.Failure?.Code);
        Assert.Null(await MembershipAsync(workspace, other));
        Assert.Null(await MembershipAsync(workspace, invited));
    }

    [Fact]
    public async Task Invite_LinkWorksOnce_AndAResendReplacesIt()
    {
        var (workspace, owner) = await WorkspaceAsync();
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        var invitation = (await InviteAsync(workspace, owner, email)).Value!;
        var first = await InvitationLinkAsync(email);

        await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<InviteMember>().ResendAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, invitation.Id, PortalUrl));
        var second = await InvitationLinkAsync(email, skip: 1);
        Assert.NotEqual(first, second);
        Assert.NotNull((await client.GetAsync(first)).TestId("invitation-error"));

        var joined = await client.SubmitAsync(second, "accept-invitation", new Dictionary<string, string>());
        Assert.Equal($"/workspaces/{workspace.Id}", joined.Url.AbsolutePath);

        var reused = await client.GetAsync(second);
        Assert.Contains("not valid", reused.TestId("invitation-error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invite_SomeoneAlreadyMemberOrInvited_IsAConflict()
    {
        var (workspace, owner) = await WorkspaceAsync();
        var email = AccountSteps.NewEmail();

        Assert.True((await InviteAsync(workspace, owner, email)).Succeeded);
        var again = await InviteAsync(workspace, owner, email.ToUpperInvariant());
        var member = await InviteAsync(workspace, owner, owner.Email!);

        Assert.Equal(FailureCode.Conflict, again.Failure?.Code);
        Assert.Equal(FailureCode.Conflict, member.Failure?.Code);
        await using var db = App.CreateDbContext();
        Assert.Equal(1, await db.Set<Invitation>().CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Invite_ByADeveloper_IsForbidden_AndByAnOutsider_NotFound()
    {
        var (workspace, _) = await WorkspaceAsync();
        var developer = await WorkspaceSteps.CreateUserAsync(App);
        await WorkspaceSteps.AddMemberAsync(App, workspace, developer, WorkspaceRole.Developer);
        var outsider = await WorkspaceSteps.CreateUserAsync(App);

        Assert.Equal(FailureCode.Forbidden, (await InviteAsync(workspace, developer, AccountSteps.NewEmail())).Failure?.Code);
        Assert.Equal(FailureCode.NotFound, (await InviteAsync(workspace, outsider, AccountSteps.NewEmail())).Failure?.Code);
    }
}
