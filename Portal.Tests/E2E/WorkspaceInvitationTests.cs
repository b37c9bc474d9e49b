using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.E2E;

[Trait("Category", "E2E")]
public sealed class WorkspaceInvitationTests(TestServers servers) : BrowserTest(servers)
{
    protected override Dictionary<string, string?> Settings => new() { ["Portal:Roles:1"] = "worker" };

    [Fact]
    public async Task Owner_CreatesAWorkspace_InvitesATeammate_WhoJoinsFromTheEmailAsDeveloper()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var teammate = AccountSteps.NewEmail("teammate");
        var ownerPage = await NewPageAsync();
        var teammatePage = await NewPageAsync();

        await WithScreenshotsOnFailureAsync(nameof(Owner_CreatesAWorkspace_InvitesATeammate_WhoJoinsFromTheEmailAsDeveloper), async () =>
        {
            await SignInWithPasswordAsync(ownerPage, owner.Email!);
            await Assertions.Expect(ownerPage.GetByTestId("empty-state")).ToBeVisibleAsync();
            await Assertions.Expect(ownerPage.Locator(".mud-layout")).ToHaveAttributeAsync("data-interactive", "true");
            await ownerPage.GetByTestId("create-workspace").ClickAsync();
            await ownerPage.GetByRole(AriaRole.Textbox, new() { Name = "Name" }).FillAsync("Acme Robotics");
            await Assertions.Expect(ownerPage.GetByRole(AriaRole.Textbox, new() { Name = "Slug" })).ToHaveValueAsync("acme-robotics");
            await ownerPage.GetByTestId("workspace-create-submit").ClickAsync();
            await Assertions.Expect(ownerPage.GetByTestId("workspace-name-heading")).ToHaveTextAsync("Acme Robotics");
            await Assertions.Expect(ownerPage.GetByTestId("workspace-my-role")).ToHaveTextAsync("owner");

            await ownerPage.GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).First.ClickAsync();
            await ownerPage.GetByTestId("invite-member").ClickAsync();
            await ownerPage.GetByRole(AriaRole.Textbox, new() { Name = "Email" }).FillAsync(teammate);
            await ownerPage.GetByTestId("invite-submit").ClickAsync();
            await Assertions.Expect(ownerPage.GetByTestId("members-table")).ToContainTextAsync(teammate);
            await Assertions.Expect(ownerPage.GetByTestId("members-table")).ToContainTextAsync("invited");

            var link = TestSmtpServer.LinkIn(await App.Smtp.WaitForAsync(teammate, "Join Acme Robotics"), "/invitations/accept");
            await teammatePage.GotoAsync(link);
            await Assertions.Expect(teammatePage.GetByTestId("invitation-summary")).ToContainTextAsync("developer");
            await teammatePage.GetByTestId("invitation-register").ClickAsync();
            await Assertions.Expect(teammatePage.Locator("#Input\\.Email")).ToHaveValueAsync(teammate);
            await teammatePage.FillAsync("#Input\\.DisplayName", "Grace Hopper");
            await teammatePage.FillAsync("#Input\\.Password", AccountSteps.StrongPassword);
            await teammatePage.FillAsync("#Input\\.ConfirmPassword", AccountSteps.StrongPassword);
            await teammatePage.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

            await Assertions.Expect(teammatePage.GetByTestId("workspace-name-heading")).ToHaveTextAsync("Acme Robotics");
            await Assertions.Expect(teammatePage.GetByTestId("workspace-my-role")).ToHaveTextAsync("developer");

            await ownerPage.ReloadAsync();
            await Assertions.Expect(ownerPage.GetByTestId("members-table")).ToContainTextAsync("Grace Hopper");
        }, ownerPage, teammatePage);
    }
}
