using Portal.Tests.Infrastructure;

namespace Portal.Tests.Accounts;

public sealed class LockoutTests(TestServers servers) : PortalTest(servers)
{
    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_AndTheRightPasswordIsThenRefused()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await AccountSteps.SignInAsync(client, email, "not the password at all");
            Assert.Contains("email or the password is wrong", wrong.TestId("status-message"), StringComparison.Ordinal);
        }

        var fifth = await AccountSteps.SignInAsync(client, email, "not the password at all");
        Assert.Equal("/Account/Lockout", fifth.Url.AbsolutePath);

        var sixth = await AccountSteps.SignInAsync(client, email);
        Assert.Equal("/Account/Lockout", sixth.Url.AbsolutePath);
        Assert.False(await AccountSteps.IsSignedInAsync(client));
    }

    [Fact]
    public async Task Lockout_LastsFifteenMinutes()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await AccountSteps.SignInAsync(client, email, "not the password at all");
        }

        // Identity's lockout end is set from the real clock, so this test checks the stored end rather than waiting.
        await using var db = App.CreateDbContext();
        var user = db.Users.Single(u => u.Email == email);
        Assert.NotNull(user.LockoutEnd);
        Assert.InRange(user.LockoutEnd!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.1));
    }
}
