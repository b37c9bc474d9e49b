using Microsoft.EntityFrameworkCore;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Accounts;

public sealed class TwoFactorTests(TestServers servers) : PortalTest(servers)
{
    /// <summary>A signed-in account with 2FA on; returns its shared key and recovery codes.</summary>
    private async Task<(string Email, string Key, IReadOnlyList<string> RecoveryCodes)> EnableTwoFactorAsync(PortalClient client)
    {
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        await AccountSteps.SignInAsync(client, email);

        var setup = await client.GetAsync("/Account/Manage/EnableAuthenticator");
        var key = setup.TestId("shared-key")!;
        Assert.NotNull(setup.Document.QuerySelector("img[src^='data:image/png;base64,']"));

        var enabled = await client.SubmitAsync(setup, "enable-authenticator",
            new Dictionary<string, string> { ["Input.Code"] = AccountSteps.TotpCode(key, App.Clock.GetUtcNow()) });
        Assert.True(enabled.TestId("recovery-codes") is not null, $"{enabled.Url} {enabled.Response.StatusCode} {enabled.TestId("status-message")} {enabled.Document.QuerySelector(".validation-message")?.TextContent}");
        var codes = enabled.Document.QuerySelectorAll("[data-testid='recovery-codes'] code").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(10, codes.Count);
        return (email, key, codes);
    }

    private static Task<PortalClient.Page> EnterCodeAsync(PortalClient client, PortalClient.Page page, string code) =>
        client.SubmitAsync(page, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = code });

    [Fact]
    public async Task Enable_WithCodeFromSharedKey_ThenSignInAsksForACode()
    {
        using var client = App.CreatePortalClient();
        var (email, key, _) = await EnableTwoFactorAsync(client);
        Assert.NotNull((await client.GetAsync("/Account/Manage/TwoFactorAuthentication")).TestId("2fa-enabled"));
        await client.SignOutAsync();
        Assert.False(await AccountSteps.IsSignedInAsync(client));

        var passwordStep = await AccountSteps.SignInAsync(client, email);
        Assert.Equal("/Account/LoginWith2fa", passwordStep.Url.AbsolutePath);
        Assert.False(await AccountSteps.IsSignedInAsync(client));

        passwordStep = await AccountSteps.SignInAsync(client, email);
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        var signedIn = await EnterCodeAsync(client, passwordStep, AccountSteps.TotpCode(key, App.Clock.GetUtcNow()));

        Assert.Equal("/", signedIn.Url.AbsolutePath);
        Assert.True(await AccountSteps.IsSignedInAsync(client));
    }

    [Fact]
    public async Task SignIn_WithReplayedCode_IsRefused()
    {
        using var client = App.CreatePortalClient();
        var (email, key, _) = await EnableTwoFactorAsync(client);
        await client.SignOutAsync();
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = AccountSteps.TotpCode(key, App.Clock.GetUtcNow());

        var first = await EnterCodeAsync(client, await AccountSteps.SignInAsync(client, email), code);
        Assert.Equal("/", first.Url.AbsolutePath);
        await client.SignOutAsync();

        var replay = await EnterCodeAsync(client, await AccountSteps.SignInAsync(client, email), code);

        Assert.Equal("/Account/LoginWith2fa", replay.Url.AbsolutePath);
        Assert.Contains("already used", replay.TestId("status-message"), StringComparison.Ordinal);
        Assert.False(await AccountSteps.IsSignedInAsync(client));
    }

    [Fact]
    public async Task SignIn_WithTheCodeUsedToEnable_IsRefused()
    {
        using var client = App.CreatePortalClient();
        var (email, key, _) = await EnableTwoFactorAsync(client);
        await client.SignOutAsync();

        // Same 30-second window as the code that turned 2FA on: that code was spent.
        var page = await EnterCodeAsync(client, await AccountSteps.SignInAsync(client, email), AccountSteps.TotpCode(key, App.Clock.GetUtcNow()));

        Assert.Equal("/Account/LoginWith2fa", page.Url.AbsolutePath);
    }

    [Fact]
    public async Task RecoveryCode_WorksOnce()
    {
        using var client = App.CreatePortalClient();
        var (email, _, codes) = await EnableTwoFactorAsync(client);
        await client.SignOutAsync();

        await AccountSteps.SignInAsync(client, email);
        var first = await client.SubmitAsync("/Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = codes[0] });
        Assert.Equal("/", first.Url.AbsolutePath);
        Assert.True(await AccountSteps.IsSignedInAsync(client));
        await client.SignOutAsync();

        await AccountSteps.SignInAsync(client, email);
        var again = await client.SubmitAsync("/Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = codes[0] });
        Assert.Contains("not valid, or was already used", again.TestId("status-message"), StringComparison.Ordinal);
        Assert.False(await AccountSteps.IsSignedInAsync(client));
    }

    [Fact]
    public async Task Disable_NeedsThePassword()
    {
        using var client = App.CreatePortalClient();
        var (email, _, _) = await EnableTwoFactorAsync(client);

        var wrong = await client.SubmitAsync("/Account/Manage/Disable2fa", "disable-2fa", new Dictionary<string, string> { ["Input.Password"] = "wrong password here" });
        Assert.Contains("password is wrong", wrong.TestId("status-message"), StringComparison.Ordinal);
        await using (var db = App.CreateDbContext())
        {
            Assert.True(await db.Users.Where(u => u.Email == email).Select(u => u.TwoFactorEnabled).SingleAsync(TestContext.Current.CancellationToken));
        }

        var right = await client.SubmitAsync("/Account/Manage/Disable2fa", "disable-2fa", new Dictionary<string, string> { ["Input.Password"] = AccountSteps.StrongPassword });
        Assert.Contains("Two-factor authentication is off", right.Text, StringComparison.Ordinal);
        await using (var db = App.CreateDbContext())
        {
            Assert.False(await db.Users.Where(u => u.Email == email).Select(u => u.TwoFactorEnabled).SingleAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Enable_SignsOutOtherSessions_AndStoresTheKeyEncrypted()
    {
        using var client = App.CreatePortalClient();
        using var other = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        await AccountSteps.SignInAsync(other, email);
        Assert.True(await AccountSteps.IsSignedInAsync(other));

        await AccountSteps.SignInAsync(client, email);
        var setup = await client.GetAsync("/Account/Manage/EnableAuthenticator");
        var key = setup.TestId("shared-key")!.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await client.SubmitAsync(setup, "enable-authenticator", new Dictionary<string, string> { ["Input.Code"] = AccountSteps.TotpCode(key, App.Clock.GetUtcNow()) });

        Assert.True(await AccountSteps.IsSignedInAsync(client));
        Assert.False(await AccountSteps.IsSignedInAsync(other));
        await using var db = App.CreateDbContext();
        var stored = await db.UserTokens.Select(t => t.Value).ToListAsync(TestContext.Current.CancellationToken);
        Assert.NotEmpty(stored);
        Assert.DoesNotContain(stored, v => v != null && v.Contains(key, StringComparison.Ordinal));
    }

    /// <summary>The enable page's own form posted straight to it, with a valid antiforgery token taken from another account page.</summary>
    private static async Task<PortalClient.Page> PostEnableFormAsync(PortalClient client, string code)
    {
        var anyForm = await client.GetAsync("/Account/Manage/ChangePassword");
        var token = anyForm.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "enable-authenticator",
            ["__RequestVerificationToken"] = token,
            ["Input.Code"] = code,
        });
        var response = await client.Http.PostAsync(new Uri("/Account/Manage/EnableAuthenticator", UriKind.Relative), content);
        return new PortalClient.Page(response, new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync()));
    }

    private async Task<string?> StoredRecoveryCodesAsync(string email)
    {
        await using var db = App.CreateDbContext();
        var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
        return await db.UserTokens.Where(t => t.UserId == userId && t.Name == "RecoveryCodes").Select(t => t.Value)
            .SingleOrDefaultAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task EnablePage_PostedWithoutARecentPassword_ShowsNoKey_AndMakesNoRecoveryCodes()
    {
        using var client = App.CreatePortalClient();
        var (email, key, _) = await EnableTwoFactorAsync(client);
        var codesBefore = await StoredRecoveryCodesAsync(email);
        // Someone at an unattended browser, long after the owner typed the password.
        App.Clock.Advance(TimeSpan.FromMinutes(30));

        var page = await PostEnableFormAsync(client, AccountSteps.TotpCode(key, App.Clock.GetUtcNow()));

        Assert.True((int)page.Response.StatusCode < 500, $"{page.Response.StatusCode}");
        Assert.Null(page.TestId("recovery-codes"));
        Assert.Null(page.TestId("shared-key"));
        Assert.DoesNotContain(key.Replace(" ", "", StringComparison.Ordinal), page.Text.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Null(page.Document.QuerySelector("img[src^='data:image/png;base64,']"));
        Assert.Equal(codesBefore, await StoredRecoveryCodesAsync(email));
    }

    [Fact]
    public async Task EnablePage_LongAfterSignIn_AsksForThePassword_ThenShowsTheKey()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        await AccountSteps.SignInAsync(client, email);
        App.Clock.Advance(TimeSpan.FromMinutes(30));

        var asked = await client.GetAsync("/Account/Manage/EnableAuthenticator");
        Assert.Null(asked.TestId("shared-key"));
        var wrong = await client.SubmitAsync(asked, "confirm-password", new Dictionary<string, string> { ["PasswordInput.Password"] = "not the password at all" });
        Assert.Null(wrong.TestId("shared-key"));
        Assert.Contains("password is wrong", wrong.TestId("status-message"), StringComparison.Ordinal);

        var setup = await client.SubmitAsync(asked, "confirm-password", new Dictionary<string, string> { ["PasswordInput.Password"] = AccountSteps.StrongPassword });
        var key = setup.TestId("shared-key");
        Assert.False(string.IsNullOrEmpty(key), setup.Text);
        var enabled = await client.SubmitAsync(setup, "enable-authenticator",
            new Dictionary<string, string> { ["Input.Code"] = AccountSteps.TotpCode(key!, App.Clock.GetUtcNow()) });
        Assert.NotNull(enabled.TestId("recovery-codes"));
    }
}
