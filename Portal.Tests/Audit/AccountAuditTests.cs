using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Audit;

public sealed class AccountAuditTests(TestServers servers) : PortalTest(servers)
{
    private const string NewPassword = "amber glacier teapot 31 orbit";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<List<AuditEvent>> EventsAsync(string? userId, string action)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<AuditEvent>().Where(e => e.TargetId == userId && e.Action == action).OrderBy(e => e.Id).ToListAsync(Cancel);
    }

    private async Task<AuditEvent> SingleEventAsync(string userId, string action)
    {
        var events = await EventsAsync(userId, action);
        var single = Assert.Single(events);
        Assert.Null(single.WorkspaceId);
        Assert.Equal(AuditTargets.User, single.TargetType);
        Assert.Equal(ActorTypes.User, single.ActorType);
        Assert.Equal(userId, single.ActorId);
        // The in-process test server has no remote address; the request id and user agent show the client is recorded.
        Assert.False(string.IsNullOrEmpty(single.RequestId));
        return single;
    }

    private async Task<(PortalClient Client, string Email, string UserId)> SignedInAsync()
    {
        var client = App.CreatePortalClient();
        client.Http.DefaultRequestHeaders.UserAgent.ParseAdd("AuditTest/1.0");
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        return (client, email, await WorkspaceSteps.UserIdAsync(App, email));
    }

    [Fact]
    public async Task SignIn_SignOut_AndFailedSignIns_EachLeaveOneEvent()
    {
        var (client, email, userId) = await SignedInAsync();
        using var _ = client;
        var signedIn = await SingleEventAsync(userId, AuditActions.UserSignedIn);
        Assert.Equal("AuditTest/1.0", signedIn.UserAgent);
        Assert.Contains("\"password\"", signedIn.Changes, StringComparison.Ordinal);

        await client.SignOutAsync();
        await SingleEventAsync(userId, AuditActions.UserSignedOut);

        await AccountSteps.SignInAsync(client, email, "not the password at all");
        var failed = await SingleEventAsync(userId, AuditActions.UserSignInFailed);
        Assert.Contains(SignInFailureReasons.BadPassword, failed.Changes, StringComparison.Ordinal);
        Assert.DoesNotContain("not the password", failed.Changes, StringComparison.Ordinal);

        var unknown = AccountSteps.NewEmail("nobody");
        await AccountSteps.SignInAsync(client, unknown);
        var unknownEvent = Assert.Single(await EventsAsync(null, AuditActions.UserSignInFailed));
        Assert.Null(unknownEvent.ActorId);
        Assert.Equal(unknown, unknownEvent.ActorName);
        Assert.Contains(SignInFailureReasons.UnknownEmail, unknownEvent.Changes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LockedOutSignIn_IsRecordedAsSuch()
    {
        var (client, email, userId) = await SignedInAsync();
        using var _ = client;
        await client.SignOutAsync();

        for (var i = 0; i < 5; i++)
        {
            await AccountSteps.SignInAsync(client, email, "wrong password " + i);
        }

        var failures = await EventsAsync(userId, AuditActions.UserSignInFailed);
        Assert.Equal(5, failures.Count);
        Assert.Contains(SignInFailureReasons.LockedOut, failures[^1].Changes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordChange_LeavesOneEvent_AndShowsOnTheSecurityActivityPage()
    {
        var (client, _, userId) = await SignedInAsync();
        using var _ = client;

        await client.SubmitAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = AccountSteps.StrongPassword,
            ["Input.NewPassword"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });

        await SingleEventAsync(userId, AuditActions.UserPasswordChanged);
        var page = await client.GetAsync("/Account/Manage/SecurityActivity");
        var actions = page.Document.QuerySelectorAll("[data-testid='security-events'] tr[data-action]").Select(r => r.GetAttribute("data-action")).ToList();
        Assert.Equal([AuditActions.UserPasswordChanged, AuditActions.UserSignedIn], actions);
        Assert.Contains("Password changed", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordReset_LeavesOneEvent()
    {
        var (client, email, userId) = await SignedInAsync();
        using var _ = client;
        using var anonymous = App.CreatePortalClient();
        await anonymous.SubmitAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        var link = TestSmtpServer.LinkIn(await App.Smtp.WaitForAsync(email, "Reset your password"), "/Account/ResetPassword");

        await anonymous.SubmitAsync(link, "reset-password", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });

        await SingleEventAsync(userId, AuditActions.UserPasswordReset);
    }

    [Fact]
    public async Task TwoFactor_On_Codes_SignIn_RecoverySignIn_Off_EachLeaveOneEvent()
    {
        var (client, email, userId) = await SignedInAsync();
        using var _ = client;
        var setup = await client.GetAsync("/Account/Manage/EnableAuthenticator");
        var key = setup.TestId("shared-key")!;
        var enabled = await client.SubmitAsync(setup, "enable-authenticator",
            new Dictionary<string, string> { ["Input.Code"] = AccountSteps.TotpCode(key, App.Clock.GetUtcNow()) });
        var codes = enabled.Document.QuerySelectorAll("[data-testid='recovery-codes'] code").Select(c => c.TextContent.Trim()).ToList();
        await SingleEventAsync(userId, AuditActions.UserTwoFactorEnabled);

        var regenerated = await client.SubmitAsync("/Account/Manage/GenerateRecoveryCodes", "generate-recovery-codes",
            new Dictionary<string, string> { ["Input.Password"] = AccountSteps.StrongPassword });
        codes = [.. regenerated.Document.QuerySelectorAll("[data-testid='recovery-codes'] code").Select(c => c.TextContent.Trim())];
        await SingleEventAsync(userId, AuditActions.UserRecoveryCodesGenerated);

        await client.SignOutAsync();
        App.Clock.Advance(TimeSpan.FromSeconds(30));
        var passwordStep = await AccountSteps.SignInAsync(client, email);
        Assert.Single(await EventsAsync(userId, AuditActions.UserSignedIn));
        await client.SubmitAsync(passwordStep, "login-with-2fa",
            new Dictionary<string, string> { ["Input.TwoFactorCode"] = AccountSteps.TotpCode(key, App.Clock.GetUtcNow()) });
        var twoFactorSignIn = (await EventsAsync(userId, AuditActions.UserSignedIn))[^1];
        Assert.Contains("authenticator", twoFactorSignIn.Changes, StringComparison.Ordinal);
        Assert.Equal(2, (await EventsAsync(userId, AuditActions.UserSignedIn)).Count);

        await client.SignOutAsync();
        await AccountSteps.SignInAsync(client, email);
        await client.SubmitAsync("/Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = codes[0] });
        var recoverySignIn = (await EventsAsync(userId, AuditActions.UserSignedIn))[^1];
        Assert.Contains("recovery_code", recoverySignIn.Changes, StringComparison.Ordinal);
        Assert.DoesNotContain(codes[0], recoverySignIn.Changes, StringComparison.Ordinal);
        Assert.Equal(3, (await EventsAsync(userId, AuditActions.UserSignedIn)).Count);

        await client.SubmitAsync("/Account/Manage/Disable2fa", "disable-2fa", new Dictionary<string, string> { ["Input.Password"] = AccountSteps.StrongPassword });
        await SingleEventAsync(userId, AuditActions.UserTwoFactorDisabled);
    }
}
