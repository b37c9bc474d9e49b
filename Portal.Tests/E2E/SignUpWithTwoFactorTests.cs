using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.E2E;

[Trait("Category", "E2E")]
public sealed class SignUpWithTwoFactorTests(TestServers servers) : BrowserTest(servers)
{
    private const string AdminEmail = "operator@example.com";

    protected override Dictionary<string, string?> Settings => new() { ["Portal:PlatformAdmins:0"] = AdminEmail };

    [Fact]
    public async Task Register_Confirm_EnableTwoFactor_SignOut_SignInWithCode()
    {
        var page = await NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                cspViolations.Add(message.Text);
            }
        };

        await WithScreenshotsOnFailureAsync(nameof(Register_Confirm_EnableTwoFactor_SignOut_SignInWithCode), async () =>
        {
            var email = AccountSteps.NewEmail("browser");

            await page.GotoAsync("/Account/Register");
            await page.FillAsync("#Input\\.DisplayName", "Browser User");
            await page.FillAsync("#Input\\.Email", email);
            await page.FillAsync("#Input\\.Password", AccountSteps.StrongPassword);
            await Assertions.Expect(page.Locator(".password-meter")).ToHaveAttributeAsync("data-score", "4");
            await page.FillAsync("#Input\\.ConfirmPassword", AccountSteps.StrongPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
            await Assertions.Expect(page.GetByText("Check your email")).ToBeVisibleAsync();

            await page.GotoAsync(await AccountSteps.ConfirmationLinkAsync(App, email));
            await Assertions.Expect(page.GetByTestId("status-message")).ToContainTextAsync("your email is confirmed");

            await SignInWithPasswordAsync(page, email);
            await Assertions.Expect(page.GetByTestId("empty-state")).ToContainTextAsync("Create your first workspace");

            // The home page is interactive (a Blazor circuit): the theme switch answers.
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-interactive", "true");
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-theme", "light");
            await page.GetByTestId("dark-mode-toggle").ClickAsync();
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-theme", "dark");

            await page.GotoAsync("/Account/Manage/TwoFactorAuthentication");
            await page.GetByTestId("enable-2fa").ClickAsync();
            var key = (await page.GetByTestId("shared-key").TextContentAsync())!;
            await Assertions.Expect(page.Locator(".qr-code img")).ToBeVisibleAsync();
            await page.FillAsync("#Input\\.Code", AccountSteps.TotpCode(key, App.Clock.GetUtcNow()));
            await page.GetByRole(AriaRole.Button, new() { Name = "Verify and turn on" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("recovery-codes").Locator("code")).ToHaveCountAsync(10);

            await page.GetByTestId("sign-out").ClickAsync();
            await page.GotoAsync("/Account/Manage");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));

            await SignInWithPasswordAsync(page, email);
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/LoginWith2fa"));
            App.Clock.Advance(TimeSpan.FromSeconds(30));
            await page.FillAsync("#Input\\.TwoFactorCode", AccountSteps.TotpCode(key, App.Clock.GetUtcNow()));
            await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();

            await Assertions.Expect(page.GetByTestId("empty-state")).ToContainTextAsync("Create your first workspace");
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-theme", "dark");
            Assert.Empty(cspViolations);
        }, page);
    }

    [Fact]
    public async Task JobsDashboard_RendersForAPlatformAdmin_WithinTheContentSecurityPolicy()
    {
        using (var client = App.CreatePortalClient())
        {
            await AccountSteps.RegisterConfirmedAsync(App, client, AdminEmail);
        }

        var page = await NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };

        await SignInWithPasswordAsync(page, AdminEmail);
        await page.GotoAsync("/hangfire");
        await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("Overview"));
        // The graphs are drawn by the dashboard's scripts, so they show the scripts run under our CSP.
        await Assertions.Expect(page.Locator("canvas").First).ToBeVisibleAsync();
        Assert.Empty(consoleErrors);
    }
}
