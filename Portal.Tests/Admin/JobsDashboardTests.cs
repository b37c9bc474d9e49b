using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Admin;
using Portal.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Admin;

public sealed class JobsDashboardTests(TestServers servers) : PortalTest(servers)
{
    private const string ConfiguredAdmin = "ops-lead@example.com";

    protected override Dictionary<string, string?> Settings => new() { ["Portal:PlatformAdmins:0"] = ConfiguredAdmin };

    [Fact]
    public async Task Dashboard_SendsAnonymousUsersToSignIn()
    {
        using var client = App.CreatePortalClient();

        var page = await client.GetAsync("/hangfire");

        Assert.Equal("/Account/Login", page.Url.AbsolutePath);
        Assert.DoesNotContain("Hangfire", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_RefusesOrdinaryUsers()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);

        var page = await client.GetAsync("/hangfire");
        var jobs = await client.GetAsync("/hangfire/jobs/enqueued");

        Assert.Equal("/Account/AccessDenied", page.Url.AbsolutePath);
        Assert.Equal("/Account/AccessDenied", jobs.Url.AbsolutePath);
    }

    [Fact]
    public async Task Dashboard_AdmitsAdminsNamedInConfiguration()
    {
        using var client = App.CreatePortalClient();
        await AccountSteps.RegisterConfirmedAsync(App, client, ConfiguredAdmin);
        await AccountSteps.SignInAsync(client, ConfiguredAdmin);

        var page = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Equal("/hangfire", page.Url.AbsolutePath);
        Assert.Contains("AuthSome Cloud jobs", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_AdmitsAdminsGrantedByTheCommand()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        Assert.Equal("/Account/AccessDenied", (await client.GetAsync("/hangfire")).Url.AbsolutePath);

        Assert.Equal(0, await PortalCommands.TryRunCommandAsync(App.Services, ["grant-admin", email]));

        // The grant renews the security stamp, so the open session picks up the new right at its next check.
        await AccountSteps.SignInAsync(client, email);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hangfire")).Response.StatusCode);
    }

    [Fact]
    public async Task GrantAdminCommand_WithoutAnExistingEmail_Fails()
    {
        Assert.Equal(2, await PortalCommands.TryRunCommandAsync(App.Services, ["grant-admin"]));
        Assert.Equal(1, await PortalCommands.TryRunCommandAsync(App.Services, ["grant-admin", "nobody@example.com"]));
        Assert.Null(await PortalCommands.TryRunCommandAsync(App.Services, []));
    }

    [Fact]
    public async Task GrantAdmin_UnknownEmail_FailsWithAClearMessage()
    {
        await using var scope = App.Services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<GrantPlatformAdmin>().ExecuteAsync("nobody@example.com");

        Assert.False(result.Succeeded);
        Assert.Contains("No account has the email", result.Errors.Single().Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredAdminEmail_DoesNotCountBeforeItIsConfirmed()
    {
        using var client = App.CreatePortalClient();
        await AccountSteps.RegisterAsync(client, ConfiguredAdmin);
        await using var db = App.CreateDbContext();
        var user = db.Users.Single(u => u.Email == ConfiguredAdmin);
        var options = new PlatformAdminOptions { PlatformAdmins = [ConfiguredAdmin] };

        Assert.False(options.IsPlatformAdmin(user));
        user.EmailConfirmed = true;
        Assert.True(options.IsPlatformAdmin(user));
    }
}
