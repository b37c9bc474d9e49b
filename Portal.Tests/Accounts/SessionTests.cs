using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Accounts;

public sealed class SessionTests(TestServers servers) : PortalTest(servers)
{
    // An idle timeout longer than the absolute lifetime, so the absolute limit is what ends the session here.
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Accounts:SessionIdleTimeout"] = "1.00:00:00",
        ["Accounts:SessionAbsoluteLifetime"] = "12:00:00",
    };

    [Fact]
    public async Task Session_EndsAfterItsAbsoluteLifetime_EvenWhenActive()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);

        for (var hour = 0; hour < 11; hour++)
        {
            App.Clock.Advance(TimeSpan.FromHours(1));
            Assert.True(await AccountSteps.IsSignedInAsync(client));
        }

        App.Clock.Advance(TimeSpan.FromHours(1.1));
        Assert.False(await AccountSteps.IsSignedInAsync(client));
    }

    [Fact]
    public async Task ChangingThePassword_SignsOutOtherSessions_ButNotThisOne()
    {
        using var client = App.CreatePortalClient();
        using var other = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        await AccountSteps.SignInAsync(client, email);
        await AccountSteps.SignInAsync(other, email);

        var changed = await client.SubmitAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = AccountSteps.StrongPassword,
            ["Input.NewPassword"] = "amber glacier teapot 31 orbit",
            ["Input.ConfirmPassword"] = "amber glacier teapot 31 orbit",
        });

        Assert.Contains("Your password is changed", changed.TestId("status-message"), StringComparison.Ordinal);
        Assert.True(await AccountSteps.IsSignedInAsync(client));
        Assert.False(await AccountSteps.IsSignedInAsync(other));
    }
}

public sealed class IdleSessionTests(TestServers servers) : PortalTest(servers)
{
    [Fact]
    public async Task Session_EndsAfterTwoIdleHours()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);

        App.Clock.Advance(TimeSpan.FromMinutes(119));
        Assert.True(await AccountSteps.IsSignedInAsync(client));

        App.Clock.Advance(TimeSpan.FromMinutes(121));
        Assert.False(await AccountSteps.IsSignedInAsync(client));
    }
}

public sealed class RateLimitTests(TestServers servers) : PortalTest(servers)
{
    protected override Dictionary<string, string?> Settings => new() { ["Accounts:FormPostsPerMinutePerIp"] = "3" };

    [Theory]
    [InlineData("/Account/Login", "login", "Input.Email")]
    [InlineData("/Account/ForgotPassword", "forgot-password", "Input.Email")]
    [InlineData("/Account/Register", "register", "Input.Email")]
    public async Task AccountFormPosts_AreLimitedPerIpAddress_PagesAreNot(string url, string form, string field)
    {
        using var client = App.CreatePortalClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            var page = await client.SubmitAsync(url, form, new Dictionary<string, string> { [field] = AccountSteps.NewEmail(), ["Input.Password"] = "x" });
            statuses.Add(page.Response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(3));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).Response.StatusCode);
    }
}
