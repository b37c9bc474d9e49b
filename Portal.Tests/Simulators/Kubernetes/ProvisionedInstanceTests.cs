using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using k8s;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Simulators.Kubernetes;
using Portal.Tests.Infrastructure;
using Portal.Tests.Provisioning;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>
/// A provisioned application's internal URL reaches its stand-in instance on the simulator, as the proxy will call
/// it: health, sign-up, the echo, a large body, and nothing once its Service or namespace is gone.
/// </summary>
public sealed class ProvisionedInstanceTests(TestServers servers, KubernetesSimulatorFixture kubernetes)
    : PortalTest(servers), IClassFixture<KubernetesSimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings => SimulatedRegion.Settings(Servers, kubernetes);

    private async Task<Application> ProvisionedApplicationAsync(string slug)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = slug,
            Environment = ApplicationEnvironment.Production,
            Region = SimulatedRegion.Name,
            CreatedAt = App.Clock.GetUtcNow(),
            CreatedByUserId = owner.Id,
        };
        await using (var db = App.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(Ct);
        }

        Assert.Equal(ProvisioningOutcome.Succeeded,
            await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct)));
        await using var read = App.CreateDbContext();
        return await read.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == application.Id, Ct);
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url, Ct);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task InternalUrl_ReachesTheStandInInstance_UntilItsServiceAndNamespaceAreGone()
    {
        var application = await ProvisionedApplicationAsync("storefront");
        var other = await ProvisionedApplicationAsync("other");
        var url = Assert.IsType<string>(application.InternalUrl);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using (var health = await http.GetAsync(url + InstanceServer.HealthPath, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("ok", (await health.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        }

        using (var signUp = await http.PostAsJsonAsync(url + "/v1/auth/sign-up", new { email = "ada@example.com", password = "correct horse" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, signUp.StatusCode);
            var id = (await signUp.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("user").GetProperty("id").GetString();
            Assert.Equal(InstanceServer.UserId(TenantNames.Namespace(application.Id), "ada@example.com"), id);
            Assert.Equal(id, Assert.Single(signUp.Headers.GetValues(InstanceServer.UserIdHeader)));
        }

        using (var echo = await http.GetAsync(url + "/v1/users?limit=5", Ct))
        {
            var body = await echo.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(("GET", "/v1/users", "?limit=5"),
                (body.GetProperty("method").GetString(), body.GetProperty("path").GetString(), body.GetProperty("query").GetString()));
        }

        var payload = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        using (var roundTrip = await http.PostAsync(url + "/v1/upload?echo=body", new ByteArrayContent(payload), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, roundTrip.StatusCode);
            Assert.Equal(payload, await roundTrip.Content.ReadAsByteArrayAsync(Ct));
        }

        // Its Service deleted: nothing answers; the other application's instance still does.
        var ns = TenantNames.Namespace(application.Id);
        await kubernetes.Client.CoreV1.DeleteNamespacedServiceAsync(InstanceManifests.Name, ns, cancellationToken: Ct);
        Assert.Null(await StatusAsync(http, url + InstanceServer.HealthPath));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, other.InternalUrl + InstanceServer.HealthPath));

        await kubernetes.Client.CoreV1.DeleteNamespaceAsync(TenantNames.Namespace(other.Id), cancellationToken: Ct);
        Assert.Null(await StatusAsync(http, other.InternalUrl + InstanceServer.HealthPath));
    }

    [Fact]
    public async Task ScaledToZero_AnswersServiceUnavailable()
    {
        var application = await ProvisionedApplicationAsync("scaled");
        var ns = TenantNames.Namespace(application.Id);
        await kubernetes.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new k8s.Models.V1Patch("""{"spec":{"replicas":0}}""", k8s.Models.V1Patch.PatchType.MergePatch), InstanceManifests.Name, ns, cancellationToken: Ct);
        using var http = new HttpClient();
        await Eventually.WaitAsync(() => StatusAsync(http, application.InternalUrl + InstanceServer.HealthPath),
            s => s == HttpStatusCode.ServiceUnavailable, "the scaled-to-zero instance answering 503");
    }
}
