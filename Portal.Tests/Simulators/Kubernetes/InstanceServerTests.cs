using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using k8s;
using k8s.Models;
using Portal.Simulators.Kubernetes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>The stand-in instances behind simulated Services: readiness, the auth endpoints, the echo, streaming.</summary>
public sealed class InstanceServerTests(KubernetesSimulatorFixture fixture) : IClassFixture<KubernetesSimulatorFixture>, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private IKubernetes Client => fixture.Client;

    private InstanceServer Instances => fixture.Simulator.Instances;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    private Uri Url(string ns, string service, string path) => new(Instances.ServiceUri(fixture.Cluster.Name, ns, service) + path);

    private async Task<string> ReadyServiceAsync(int replicas = 1)
    {
        var ns = await fixture.NewNamespaceAsync("inst");
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedServiceAsync(Manifests.Service("web"), ns, cancellationToken: Ct);
        await WaitForStatusAsync(ns, "web", HttpStatusCode.OK);
        return ns;
    }

    private Task<HttpStatusCode?> WaitForStatusAsync(string ns, string service, HttpStatusCode? wanted) =>
        Eventually.WaitAsync(() => StatusAsync(Url(ns, service, InstanceServer.HealthPath)), s => s == wanted, $"{ns}/{service} answering {wanted?.ToString() ?? "nothing"}");

    /// <summary>The status of a GET, or null when the connection closed without an answer.</summary>
    private async Task<HttpStatusCode?> StatusAsync(Uri url)
    {
        try
        {
            using var response = await _http.GetAsync(url, Ct);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Service_AnswersOnlyWhileAPodIsReady_AndNotOnceDeleted()
    {
        var ns = await fixture.NewNamespaceAsync("inst");
        Assert.Null(await StatusAsync(Url(ns, "web", InstanceServer.HealthPath)));
        await Client.CoreV1.CreateNamespacedServiceAsync(Manifests.Service("web"), ns, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(Url(ns, "web", InstanceServer.HealthPath)));

        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 2), ns, cancellationToken: Ct);
        await WaitForStatusAsync(ns, "web", HttpStatusCode.OK);
        using (var health = await _http.GetAsync(Url(ns, "web", InstanceServer.HealthPath), Ct))
        {
            var body = await health.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("ok", body.GetProperty("status").GetString());
            Assert.StartsWith("web-", Assert.Single(health.Headers.GetValues(InstanceServer.PodHeader)), StringComparison.Ordinal);
        }

        // Scaled to zero: the Service stays, with no ready pod behind it.
        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":0}}""", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        await WaitForStatusAsync(ns, "web", HttpStatusCode.ServiceUnavailable);
        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        await WaitForStatusAsync(ns, "web", HttpStatusCode.OK);

        await Client.CoreV1.DeleteNamespacedServiceAsync("web", ns, cancellationToken: Ct);
        Assert.Null(await StatusAsync(Url(ns, "web", InstanceServer.HealthPath)));
        Assert.Null(await StatusAsync(new Uri(Instances.ServiceUri("no-such-cluster", ns, "web") + InstanceServer.HealthPath)));
    }

    [Fact]
    public async Task DeletedNamespace_StopsAnswering()
    {
        var ns = await ReadyServiceAsync();
        await Client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: Ct);
        await WaitForStatusAsync(ns, "web", null);
    }

    [Fact]
    public async Task SignUpSignInRefresh_GiveAStableUserIdPerEmail()
    {
        var ns = await ReadyServiceAsync();
        var other = await ReadyServiceAsync();

        async Task<(string Id, string Header, string Refresh)> PostAsync(string target, string path, object body)
        {
            using var response = await _http.PostAsJsonAsync(Url(target, "web", path), body, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return (json.GetProperty("user").GetProperty("id").GetString()!, Assert.Single(response.Headers.GetValues(InstanceServer.UserIdHeader)),
                json.GetProperty("refresh_token").GetString()!);
        }

        var signUp = await PostAsync(ns, "/v1/auth/sign-up", new { email = "Ada@example.com", password = "correct horse" });
        Assert.StartsWith("usr_", signUp.Id, StringComparison.Ordinal);
        Assert.Equal(signUp.Id, signUp.Header);
        var signIn = await PostAsync(ns, "/v1/auth/sign-in", new { email = "ada@example.com", password = "correct horse" });
        Assert.Equal(signUp.Id, signIn.Id);
        var refresh = await PostAsync(ns, "/v1/auth/refresh", new { refresh_token = signIn.Refresh });
        Assert.Equal(signUp.Id, refresh.Id);
        Assert.NotEqual(signUp.Id, (await PostAsync(ns, "/v1/auth/sign-up", new { email = "grace@example.com" })).Id);
        Assert.NotEqual(signUp.Id, (await PostAsync(other, "/v1/auth/sign-up", new { email = "ada@example.com" })).Id);

        using var invalid = await _http.PostAsync(Url(ns, "web", "/v1/auth/sign-in"), new StringContent("not json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.False(invalid.Headers.Contains(InstanceServer.UserIdHeader));
    }

    [Fact]
    public async Task Echo_ReturnsWhatWasSent()
    {
        var ns = await ReadyServiceAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, Url(ns, "web", "/v1/users/42?expand=roles&x=1"))
        {
            Content = new StringContent("""{"name":"Ada"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Request-ID", "req-123");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "session-token");
        using var response = await _http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("PUT", echo.GetProperty("method").GetString());
        Assert.Equal("/v1/users/42", echo.GetProperty("path").GetString());
        Assert.Equal("?expand=roles&x=1", echo.GetProperty("query").GetString());
        Assert.Equal("req-123", echo.GetProperty("headers").GetProperty("X-Request-ID").GetString());
        Assert.Equal("Bearer session-token", echo.GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.Equal(14, echo.GetProperty("bodyBytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("""{"name":"Ada"}"""u8)), echo.GetProperty("bodySha256").GetString());

        using var teapot = await _http.DeleteAsync(Url(ns, "web", "/anything?status=418"), Ct);
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        using var invalid = await _http.GetAsync(Url(ns, "web", "/anything?status=99"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task LargeChunkedBodies_StreamBothWays()
    {
        var ns = await ReadyServiceAsync();
        var payload = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);

        // Chunked upload (no Content-Length), hashed by the echo as it streams in.
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, Url(ns, "web", "/v1/upload")) { Content = new StreamContent(new UnknownLengthStream(payload)) })
        {
            using var response = await _http.SendAsync(chunked, Ct);
            Assert.Null(chunked.Content.Headers.ContentLength);
            var echo = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(payload.Length, echo.GetProperty("bodyBytes").GetInt64());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), echo.GetProperty("bodySha256").GetString());
        }

        // The body back, unchanged.
        using (var roundTrip = await _http.PostAsync(Url(ns, "web", "/v1/upload?echo=body"), new ByteArrayContent(payload), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, roundTrip.StatusCode);
            Assert.Equal(payload, await roundTrip.Content.ReadAsByteArrayAsync(Ct));
        }

        // A generated download, streamed as it is written.
        using var download = await _http.GetAsync(Url(ns, "web", "/v1/export?bytes=5000000"), HttpCompletionOption.ResponseHeadersRead, Ct);
        var bytes = await download.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(5_000_000, bytes.Length);
        Assert.True(bytes.Select((b, i) => b == InstanceServer.GeneratedByte(i)).All(x => x));
    }

    /// <summary>A stream whose length HttpClient cannot know, so that it sends the body chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
