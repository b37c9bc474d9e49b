using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Operations;

public sealed class ShellPagesTests(TestServers servers) : PortalTest(servers)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/Account/Login")]
    [InlineData("/health/live")]
    public async Task Responses_CarryTheSecurityHeaders(string path)
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        var headers = response.Headers;
        Assert.Contains("frame-ancestors 'none'", headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task UnknownPage_Answers404WithTheFriendlyPage()
    {
        using var client = App.CreatePortalClient();

        var page = await client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, page.Response.StatusCode);
        Assert.Contains("This page does not exist", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_ForASignedInUser_ShowsTheEmptyState()
    {
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);

        var home = await client.GetAsync("/");

        Assert.Contains("Create your first workspace", home.TestId("empty-state"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevMailPage_DoesNotExistOutsideDevelopment()
    {
        using var client = App.CreatePortalClient();

        var page = await client.GetAsync("/dev/mail");

        Assert.Equal(HttpStatusCode.NotFound, page.Response.StatusCode);
    }

    [Fact]
    public async Task Forms_WithoutAntiforgeryToken_AreRejected()
    {
        using var client = App.CreateClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.Email"] = "someone@example.com",
            ["Input.Password"] = "whatever password",
        });

        using var response = await client.PostAsync(new Uri("/Account/Login", UriKind.Relative), content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PasswordStrength_ScoresPasswords()
    {
        using var client = App.CreateClient();

        using var weak = await client.PostAsync(new Uri("/Account/PasswordStrength", UriKind.Relative),
            JsonContent("{\"password\":\"password1234\"}"), TestContext.Current.CancellationToken);
        using var strong = await client.PostAsync(new Uri("/Account/PasswordStrength", UriKind.Relative),
            JsonContent("{\"password\":\"quiet harbor lantern 42 mosaic\"}"), TestContext.Current.CancellationToken);
        using var bad = await client.PostAsync(new Uri("/Account/PasswordStrength", UriKind.Relative),
            JsonContent("{}"), TestContext.Current.CancellationToken);

        Assert.Contains("\"acceptable\":false", await weak.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("\"acceptable\":true", await strong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
