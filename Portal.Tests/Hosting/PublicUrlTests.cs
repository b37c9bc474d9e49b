using System.Net.Http.Json;
using Portal.Core.ApiTokens;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

/// <summary>
/// Emailed links come from <c>Portal:PublicUrl</c> alone, whatever Host header the request carried; and the host
/// filter (derived from the public URL) refuses requests for other hosts, except the health probes.
/// </summary>
public sealed class PublicUrlTests(TestServers servers) : PortalTest(servers)
{
    private const string ForgedHost = "evil.example";

    // Host filtering is switched off here, so that the links themselves are what the tests look at.
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Portal:PublicUrl"] = "https://portal.example.com",
        ["AllowedHosts"] = "*",
        ["Portal:Roles:1"] = "worker",
    };

    [Fact]
    public async Task ForgotPassword_WithForgedHost_MailsALinkToThePublicUrl()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        var page = await client.GetAsync("/Account/ForgotPassword");

        client.Http.DefaultRequestHeaders.Host = ForgedHost;
        await client.SubmitAsync(page, "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });

        var link = TestSmtpServer.LinkIn(await App.Smtp.WaitForAsync(email, "password"), "/Account/ResetPassword");
        Assert.StartsWith("https://portal.example.com/Account/ResetPassword?", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlApiInvite_WithForgedHost_MailsALinkToThePublicUrl()
    {
        var owner = await ControlApiSteps.CreateUserAsync(App);
        var workspaceId = await ControlApiSteps.CreateWorkspaceAsync(App, owner);
        var token = await ControlApiSteps.PersonalTokenAsync(App, owner, ApiScopes.Read | ApiScopes.Write | ApiScopes.Admin);
        using var client = ControlApiSteps.Client(App, token.Secret);
        client.DefaultRequestHeaders.Host = ForgedHost;
        var invitee = AccountSteps.NewEmail("invitee");

        var response = await client.PostAsJsonAsync($"/control/v1/workspaces/{workspaceId}/members", new { email = invitee, role = "viewer" },
            TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var link = TestSmtpServer.LinkIn(await App.Smtp.WaitForAsync(invitee, "Join"), "/invitations/accept");
        Assert.StartsWith("https://portal.example.com/invitations/accept?", link, StringComparison.Ordinal);
    }
}
