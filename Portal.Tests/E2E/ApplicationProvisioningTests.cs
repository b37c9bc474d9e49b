using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.E2E;

[Trait("Category", "E2E")]
public sealed partial class ApplicationProvisioningTests(TestServers servers) : BrowserTest(servers)
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Portal:Roles:1"] = "worker",
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
        ["Kubernetes:Simulator:PodStartDelay"] = "00:00:00.200",
        // The migration Job runs 8 s: long enough to be seen running on a loaded machine, where the page's circuit
        // can take seconds to connect after its prerender (at 3 s the step once went from pending to succeeded unseen).
        ["Kubernetes:Simulator:JobPodRunDuration"] = "00:00:08",
        // Pods ready after the migration Job, so the rollout step waits for them too.
        ["Kubernetes:Simulator:PodReadyDelay"] = "00:00:09",
        ["Provisioning:RolloutPollInterval"] = "00:00:00.200",
        ["Jobs:QueuePollInterval"] = "00:00:00.500",
    };

    [GeneratedRegex("/workspaces/[^/]+/applications/app_[^/]+$")]
    private static partial Regex ApplicationPageUrl();

    [Fact]
    public async Task SignUp_CreateAnApplication_WatchTheStepsTurnGreenLive_CopyTheSecret_SeeItMaskedAfterReload()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();

        await WithScreenshotsOnFailureAsync(nameof(SignUp_CreateAnApplication_WatchTheStepsTurnGreenLive_CopyTheSecret_SeeItMaskedAfterReload), async () =>
        {
            var email = AccountSteps.NewEmail("apps");
            await page.GotoAsync("/Account/Register");
            await page.FillAsync("#Input\\.DisplayName", "Ada Lovelace");
            await page.FillAsync("#Input\\.Email", email);
            await page.FillAsync("#Input\\.Password", AccountSteps.StrongPassword);
            await page.FillAsync("#Input\\.ConfirmPassword", AccountSteps.StrongPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
            await Assertions.Expect(page.GetByText("Check your email")).ToBeVisibleAsync();
            await page.GotoAsync(await AccountSteps.ConfirmationLinkAsync(App, email));
            await SignInWithPasswordAsync(page, email);

            await Assertions.Expect(page.GetByTestId("empty-state")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GetByTestId("create-workspace").ClickAsync();
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Name" }).FillAsync("Acme Robotics");
            await page.GetByTestId("workspace-create-submit").ClickAsync();
            await Assertions.Expect(page.GetByTestId("workspace-name-heading")).ToHaveTextAsync("Acme Robotics");

            await page.GetByTestId("workspace-nav").GetByRole(AriaRole.Link, new() { Name = "Applications", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("no-applications")).ToBeVisibleAsync();
            await page.GetByTestId("create-application").ClickAsync();
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Name" }).FillAsync("Storefront");
            await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Slug" })).ToHaveValueAsync("storefront");
            await page.GetByTestId("create-application-submit").ClickAsync();

            // The secret key, once, and the copy button puts it on the clipboard.
            var secretValue = page.GetByTestId("secret-key-value");
            await Assertions.Expect(secretValue).ToHaveTextAsync(new Regex("^sk_test_[0-9A-Za-z]{43}$"));
            var secret = (await secretValue.TextContentAsync())!;
            await page.GetByTestId("copy-secret-key").ClickAsync();
            await Assertions.Expect(page.GetByText("Copied to the clipboard.")).ToBeVisibleAsync();
            Assert.Equal(secret, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
            await page.GetByTestId("secret-key-done").ClickAsync();

            // The application's page follows provisioning live: no reload (the marker survives), the steps turn green.
            await Assertions.Expect(page).ToHaveURLAsync(ApplicationPageUrl());
            await Assertions.Expect(page.GetByTestId("application-name")).ToHaveTextAsync("Storefront");
            await page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
            // The migration Job's step lasts seconds (its pod starts, then runs), long enough to be seen running.
            var migrations = page.GetByTestId("step-migrations");
            await Assertions.Expect(migrations).ToHaveAttributeAsync("data-status", new Regex("^(pending|running)$"));
            await Assertions.Expect(migrations).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByTestId("step-namespace")).ToHaveAttributeAsync("data-status", "succeeded");
            await Assertions.Expect(page.GetByTestId("step-rollout")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 60_000 });
            await Assertions.Expect(page.GetByTestId("application-status")).ToHaveAttributeAsync("data-status", "active", new() { Timeout = 10_000 });
            await Assertions.Expect(page.GetByTestId("provisioning-percent")).ToHaveAttributeAsync("data-percent", "100");
            Assert.True(await page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"));

            // After a reload the secret key is only its prefix.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GetByRole(AriaRole.Tab, new() { Name = "Keys" }).ClickAsync();
            var secretRow = page.GetByTestId("keys-table").Locator("tr", new() { HasText = "Default secret key" });
            await Assertions.Expect(secretRow.GetByTestId("key-display")).ToHaveTextAsync(secret[..12] + "…");
            Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        }, page);
    }
}
