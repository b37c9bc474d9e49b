using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

/// <summary>Without an explicit <c>AllowedHosts</c>, only the public URL's host is served (400 otherwise), except the health probes.</summary>
public sealed class HostFilteringTests(TestServers servers) : PortalTest(servers)
{
    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/Account/ForgotPassword")]
    [InlineData("/")]
    [InlineData("/control/v1/workspaces")]
    public async Task ForgedHost_IsRefusedWith400(string path)
    {
        using var client = ControlApiSteps.Client(App);
        client.DefaultRequestHeaders.Host = "evil.example";

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ForgedHost_PostingTheForgotPasswordForm_IsRefused_AndNothingIsMailed()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, client);
        var page = await client.GetAsync("/Account/ForgotPassword");
        var mailsBefore = App.Smtp.Messages.Count;

        client.Http.DefaultRequestHeaders.Host = "evil.example";
        var posted = await client.SubmitAsync(page, "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });

        Assert.Equal(HttpStatusCode.BadRequest, posted.Response.StatusCode);
        Assert.Equal(mailsBefore, App.Smtp.Messages.Count);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthProbes_WithThePodAddressAsHost_AreAnswered(string path)
    {
        using var client = ControlApiSteps.Client(App);
        client.DefaultRequestHeaders.Host = "10.42.0.17:8080";

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ThePublicHost_IsServed()
    {
        using var client = ControlApiSteps.Client(App);

        var response = await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
