using Microsoft.EntityFrameworkCore;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Accounts;

public sealed class AccountSettingsTests(TestServers servers) : PortalTest(servers)
{
    [Fact]
    public async Task ChangeEmail_TakesEffectOnlyOnceTheNewAddressConfirms()
    {
        using var client = App.CreatePortalClient();
        var oldEmail = await AccountSteps.RegisterConfirmedAsync(App, client);
        await AccountSteps.SignInAsync(client, oldEmail);
        var newEmail = AccountSteps.NewEmail("moved");

        var sent = await client.SubmitAsync("/Account/Manage/Email", "change-email", new Dictionary<string, string> { ["Input.NewEmail"] = newEmail });
        Assert.Contains("We sent a confirmation link", sent.TestId("status-message"), StringComparison.Ordinal);
        await using (var db = App.CreateDbContext())
        {
            Assert.True(await db.Users.AnyAsync(u => u.Email == oldEmail, TestContext.Current.CancellationToken));
        }

        var link = TestSmtpServer.LinkIn(await App.Smtp.WaitForAsync(newEmail, "Confirm your new email"), "/Account/ConfirmEmailChange");
        var confirmed = await client.GetAsync(link);

        Assert.Contains("Your email address is changed", confirmed.TestId("status-message"), StringComparison.Ordinal);
        await App.Smtp.WaitForAsync(oldEmail, "Security change");
        await client.SignOutAsync();
        Assert.Equal("/Account/Login", (await AccountSteps.SignInAsync(client, oldEmail)).Url.AbsolutePath);
        Assert.Equal("/", (await AccountSteps.SignInAsync(client, newEmail)).Url.AbsolutePath);
    }

    [Fact]
    public async Task ChangeEmail_ToAnAddressInUse_SendsNothingAndChangesNothing()
    {
        using var client = App.CreatePortalClient();
        var taken = await AccountSteps.RegisterConfirmedAsync(App, client);
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        await AccountSteps.SignInAsync(client, email);

        await client.SubmitAsync("/Account/Manage/Email", "change-email", new Dictionary<string, string> { ["Input.NewEmail"] = taken });

        Assert.DoesNotContain(App.Smtp.Messages, m => (m.Subject ?? "").Contains("new email", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("/", (await AccountSteps.SignInAsync(client, email)).Url.AbsolutePath);
    }

    [Fact]
    public async Task Profile_SavesTheDisplayName_ShownInTheShell()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);

        var saved = await client.SubmitAsync("/Account/Manage", "profile", new Dictionary<string, string> { ["Input.DisplayName"] = "Ada Lovelace" });

        Assert.Contains("Your profile is saved", saved.TestId("status-message"), StringComparison.Ordinal);
        Assert.Contains("Welcome, Ada Lovelace", (await client.GetAsync("/")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RememberedBrowser_SkipsTheCode_UntilItIsForgotten()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        var setup = await client.GetAsync("/Account/Manage/EnableAuthenticator");
        var key = setup.TestId("shared-key")!;
        await client.SubmitAsync(setup, "enable-authenticator", new Dictionary<string, string> { ["Input.Code"] = AccountSteps.TotpCode(key, App.Clock.GetUtcNow()) });
        await client.SignOutAsync();

        App.Clock.Advance(TimeSpan.FromSeconds(30));
        var codeStep = await AccountSteps.SignInAsync(client, email);
        await client.SubmitAsync(codeStep, "login-with-2fa", new Dictionary<string, string>
        {
            ["Input.TwoFactorCode"] = AccountSteps.TotpCode(key, App.Clock.GetUtcNow()),
            ["Input.RememberMachine"] = "True",
        });
        await client.SignOutAsync();

        Assert.Equal("/", (await AccountSteps.SignInAsync(client, email)).Url.AbsolutePath);

        await client.SubmitAsync("/Account/Manage/TwoFactorAuthentication", "forget-browser", new Dictionary<string, string>());
        await client.SignOutAsync();
        Assert.Equal("/Account/LoginWith2fa", (await AccountSteps.SignInAsync(client, email)).Url.AbsolutePath);
    }
}
