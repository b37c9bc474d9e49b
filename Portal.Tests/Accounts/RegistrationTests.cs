using Microsoft.EntityFrameworkCore;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Accounts;

public sealed class RegistrationTests(TestServers servers) : PortalTest(servers)
{
    [Fact]
    public async Task Register_ConfirmByEmailedLink_ThenSignIn()
    {
        using var client = App.CreatePortalClient();
        var email = AccountSteps.NewEmail();

        var registered = await AccountSteps.RegisterAsync(client, email);
        Assert.Equal("/Account/RegisterConfirmation", registered.Url.AbsolutePath);

        var message = await App.Smtp.WaitForAsync(email, "Confirm your email");
        Assert.False(string.IsNullOrEmpty(message.HtmlBody));
        Assert.False(string.IsNullOrEmpty(message.TextBody));
        var confirmed = await client.GetAsync(TestSmtpServer.LinkIn(message, "/Account/ConfirmEmail"));
        Assert.Contains("your email is confirmed", confirmed.Text, StringComparison.OrdinalIgnoreCase);

        var signedIn = await AccountSteps.SignInAsync(client, email);
        Assert.Equal("/", signedIn.Url.AbsolutePath);
        Assert.True(await AccountSteps.IsSignedInAsync(client));
    }

    [Theory]
    [InlineData("https://evil.example.com/steal")]
    [InlineData("//evil.example.com/steal")]
    [InlineData("/\\evil.example.com/steal")]
    [InlineData("https://localhost.evil.example.com/steal")]
    public async Task SignIn_WithAReturnUrlOfAnotherSite_StaysOnThisSite(string returnUrl)
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);

        var page = await AccountSteps.SignInAsync(client, email, returnUrl: returnUrl);

        Assert.Equal("localhost", page.Url.Host);
        Assert.True(await AccountSteps.IsSignedInAsync(client));
    }

    [Fact]
    public async Task SignIn_WithALocalReturnUrl_GoesThere()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);

        var page = await AccountSteps.SignInAsync(client, email, returnUrl: "/Account/Manage/Email");

        Assert.Equal("/Account/Manage/Email", page.Url.AbsolutePath);
    }

    [Fact]
    public async Task SignIn_BeforeConfirmingEmail_IsRefused()
    {
        using var client = App.CreatePortalClient();
        var email = AccountSteps.NewEmail();
        await AccountSteps.RegisterAsync(client, email);

        var page = await AccountSteps.SignInAsync(client, email);

        Assert.Equal("/Account/Login", page.Url.AbsolutePath);
        Assert.Contains("Confirm your email address", page.TestId("status-message"), StringComparison.Ordinal);
        Assert.False(await AccountSteps.IsSignedInAsync(client));
    }

    [Theory]
    [InlineData("password1234", "too common or too easy to guess")]
    [InlineData("qwertyuiop12", "too common or too easy to guess")]
    [InlineData("abcdefghijk", "at least 12 characters")]
    public async Task Register_WithCommonOrShortPassword_IsRefusedWithClearMessage(string password, string expected)
    {
        using var client = App.CreatePortalClient();
        var email = AccountSteps.NewEmail();

        var page = await AccountSteps.RegisterAsync(client, email, password);

        Assert.Equal("/Account/Register", page.Url.AbsolutePath);
        Assert.Contains(expected, page.Text, StringComparison.OrdinalIgnoreCase);
        await using var db = App.CreateDbContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == email, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Register_WithPasswordMadeOfTheEmail_IsRefused()
    {
        using var client = App.CreatePortalClient();
        var email = $"marigold.fernsby@{Guid.NewGuid():N}.example.com";

        var page = await AccountSteps.RegisterAsync(client, email, "Marigold.Fernsby");

        Assert.Contains("too common or too easy to guess", page.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Register_ExistingEmail_LooksTheSameButCreatesNothing()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);

        var page = await AccountSteps.RegisterAsync(client, email.ToUpperInvariant());

        Assert.Equal("/Account/RegisterConfirmation", page.Url.AbsolutePath);
        await App.Smtp.WaitForAsync(email, "You already have an account");
        var normalized = email.ToUpperInvariant();
        await using var db = App.CreateDbContext();
        Assert.Equal(1, await db.Users.CountAsync(u => u.NormalizedEmail == normalized, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ConfirmEmail_WithTamperedCode_IsRefused()
    {
        using var client = App.CreatePortalClient();
        var email = AccountSteps.NewEmail();
        await AccountSteps.RegisterAsync(client, email);
        var link = await AccountSteps.ConfirmationLinkAsync(App, email);

        var page = await client.GetAsync(link.Replace("code=", "code=AAAA", StringComparison.Ordinal));

        Assert.Contains("not valid", page.TestId("status-message"), StringComparison.Ordinal);
        Assert.Equal("/Account/Login", (await AccountSteps.SignInAsync(client, email)).Url.AbsolutePath);
    }
}
