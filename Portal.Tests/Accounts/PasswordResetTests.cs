using Portal.Tests.Infrastructure;

namespace Portal.Tests.Accounts;

public sealed class PasswordResetTests(TestServers servers) : PortalTest(servers)
{
    private const string NewPassword = "violet canyon semaphore 77 drift";
    private async Task<string> RequestResetLinkAsync(PortalClient client, string email, int skip = 0)
    {
        var sent = await client.SubmitAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Contains("we sent it a link", sent.TestId("status-message"), StringComparison.Ordinal);
        var message = await App.Smtp.WaitForAsync(email, "Reset your password", skip);
        return TestSmtpServer.LinkIn(message, "/Account/ResetPassword");
    }

    private static Task<PortalClient.Page> ResetAsync(PortalClient client, string link, string email, string password = NewPassword) =>
        client.SubmitAsync(link, "reset-password", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    [Fact]
    public async Task Reset_EndToEnd_ChangesThePassword_AndSignsOutOtherSessions()
    {
        using var other = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, other);
        await AccountSteps.SignInAsync(other, email);
        Assert.True(await AccountSteps.IsSignedInAsync(other));

        using var client = App.CreatePortalClient();
        var link = await RequestResetLinkAsync(client, email);
        var reset = await ResetAsync(client, link, email);
        Assert.Contains("Your password is changed", reset.TestId("status-message"), StringComparison.Ordinal);

        Assert.False(await AccountSteps.IsSignedInAsync(other));
        Assert.Equal("/Account/Login", (await AccountSteps.SignInAsync(client, email)).Url.AbsolutePath);
        Assert.Equal("/", (await AccountSteps.SignInAsync(client, email, NewPassword)).Url.AbsolutePath);
        await App.Smtp.WaitForAsync(email, "Security change");
    }

    [Fact]
    public async Task Reset_LinkUsedTwice_IsRefusedTheSecondTime()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        var link = await RequestResetLinkAsync(client, email);
        await ResetAsync(client, link, email);

        var again = await ResetAsync(client, link, email, "another strong passphrase 9 kettle");

        Assert.Contains("already used", again.TestId("status-message"), StringComparison.Ordinal);
        Assert.Equal("/", (await AccountSteps.SignInAsync(client, email, NewPassword)).Url.AbsolutePath);
    }

    [Theory]
    [InlineData(29, true)]
    [InlineData(31, false)]
    public async Task Reset_LinkWorksForThirtyMinutes(int minutesLater, bool works)
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        var link = await RequestResetLinkAsync(client, email);

        App.Clock.Advance(TimeSpan.FromMinutes(minutesLater));
        var page = await ResetAsync(client, link, email);

        Assert.Contains(works ? "Your password is changed" : "has expired", page.TestId("status-message"), StringComparison.Ordinal);
        var passwordThatNowWorks = works ? NewPassword : AccountSteps.StrongPassword;
        Assert.Equal("/", (await AccountSteps.SignInAsync(client, email, passwordThatNowWorks)).Url.AbsolutePath);
    }

    [Fact]
    public async Task ForgotPassword_UnknownEmail_AnswersTheSameAndSendsNothing()
    {
        using var client = App.CreatePortalClient();
        var email = AccountSteps.NewEmail("nobody");

        var page = await client.SubmitAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });

        Assert.Contains("we sent it a link", page.TestId("status-message"), StringComparison.Ordinal);
        Assert.DoesNotContain(App.Smtp.Messages, m => m.To.ToString().Contains(email, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Reset_WithWeakNewPassword_IsRefusedAndTheLinkStillWorks()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        var link = await RequestResetLinkAsync(client, email);

        var weak = await ResetAsync(client, link, email, "password1234");
        Assert.Contains("too common", weak.Text, StringComparison.Ordinal);

        var strong = await ResetAsync(client, link, email);
        Assert.Contains("Your password is changed", strong.TestId("status-message"), StringComparison.Ordinal);
    }
}
