using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

/// <summary>
/// X-Forwarded-For is believed only from the configured proxy networks: from anyone else it changes nothing, so the
/// per-address account-form limit counts the real peer. Cookies are Secure even when the request came over HTTP.
/// </summary>
public sealed class ForwardedHeadersTests(TestServers servers) : PortalTest(servers)
{
    private const string IngressAddress = "10.1.2.3";
    private const string StrangerAddress = "203.0.113.7";

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Accounts:FormPostsPerMinutePerIp"] = "2",
        ["Portal:ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8",
    };

    private static async Task<HttpStatusCode> PostSignInAsync(PortalClient client, string peer, string forwardedFor)
    {
        var page = await client.GetAsync("/Account/Login");
        client.Http.DefaultRequestHeaders.Remove(PortalApp.PeerAddressHeader);
        client.Http.DefaultRequestHeaders.Remove("X-Forwarded-For");
        client.Http.DefaultRequestHeaders.Add(PortalApp.PeerAddressHeader, peer);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        try
        {
            var posted = await client.SubmitAsync(page, "login",
                new Dictionary<string, string> { ["Input.Email"] = AccountSteps.NewEmail(), ["Input.Password"] = "some wrong password" });
            return posted.Response.StatusCode;
        }
        finally
        {
            client.Http.DefaultRequestHeaders.Remove(PortalApp.PeerAddressHeader);
            client.Http.DefaultRequestHeaders.Remove("X-Forwarded-For");
        }
    }

    [Fact]
    public async Task ForwardedFor_FromAnUntrustedPeer_DoesNotChangeTheCountedAddress()
    {
        using var client = App.CreatePortalClient();

        var statuses = new List<HttpStatusCode>();
        foreach (var spoofed in new[] { "198.51.100.1", "198.51.100.2", "198.51.100.3" })
        {
            statuses.Add(await PostSignInAsync(client, StrangerAddress, spoofed));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task ForwardedFor_FromTheIngress_IsTheCountedAddress()
    {
        using var client = App.CreatePortalClient();

        var statuses = new List<HttpStatusCode>();
        foreach (var forwardedFor in new[] { "198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.1", "198.51.100.1" })
        {
            statuses.Add(await PostSignInAsync(client, IngressAddress, forwardedFor));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task ForwardedFor_FromTheIngress_TakesOnlyTheAddressTheIngressAdded()
    {
        using var client = App.CreatePortalClient();

        // The client wrote its own X-Forwarded-For ("1.1.1.x"); the ingress appended the address it saw.
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 3; i++)
        {
            statuses.Add(await PostSignInAsync(client, IngressAddress, $"1.1.1.{i}, 198.51.100.50"));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Cookies_AreSecure_EvenOverPlainHttp()
    {
        using var browser = App.CreatePortalClient();
        var email = await AccountSteps.RegisterConfirmedAsync(App, browser);
        // Plain HTTP, as from the ingress to the pod, and no cookie jar: the Set-Cookie headers are read as they are.
        using var http = ControlApiSteps.Client(App);

        var login = await http.GetAsync("/Account/Login", TestContext.Current.CancellationToken);
        var antiforgery = SetCookies(login).Single(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.Contains("; secure", antiforgery, StringComparison.OrdinalIgnoreCase);

        var html = await login.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = email,
                ["Input.Password"] = AccountSteps.StrongPassword,
            }),
        };
        request.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        var signedIn = await http.SendAsync(request, TestContext.Current.CancellationToken);

        var session = SetCookies(signedIn).Single(c => c.StartsWith("authsome_session=", StringComparison.Ordinal));
        Assert.Contains("; secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.All(SetCookies(signedIn), c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    private static List<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];
}
