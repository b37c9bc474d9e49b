using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;
using Portal.Tests.Provisioning;
using Portal.Tests.Simulators.Kubernetes;
using StackExchange.Redis;

namespace Portal.Tests.Proxy;

/// <summary>
/// The whole path as a developer tries it: an application provisioned on the simulated cluster, called through the
/// proxy with its keys; the stand-in instance answers, and the sign-up's user becomes an active user.
/// </summary>
public sealed class ProxyStandInTests(TestServers servers, KubernetesSimulatorFixture kubernetes) : IClassFixture<KubernetesSimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AProvisionedApplication_AnswersThroughTheProxy_AndItsSignUpCountsAsAnActiveUser()
    {
        await using var host = await ProxyHost.StartAsync(servers, SimulatedRegion.Settings(servers, kubernetes));
        var owner = await WorkspaceSteps.CreateUserAsync(host.App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(host.App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = "storefront",
            Environment = ApplicationEnvironment.Production,
            Region = SimulatedRegion.Name,
            CreatedAt = host.App.Clock.GetUtcNow(),
            CreatedByUserId = owner.Id,
        };
        await using (var db = host.App.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(Ct);
        }

        Assert.Equal(ProvisioningOutcome.Succeeded,
            await WorkspaceSteps.RunAsync(host.App, sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct)));
        await using (var db = host.App.CreateDbContext())
        {
            Assert.Equal(ApplicationStatus.Active, (await db.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == application.Id, Ct)).Status);
        }

        var publicKey = (await host.CreateKeyAsync(owner, application.Id, ApiKeyType.Public, null)).Value;
        var secretKey = (await host.CreateKeyAsync(owner, application.Id, ApiKeyType.Secret, ["users:read"])).Value;

        string userId;
        using (var request = ProxyHost.Request(HttpMethod.Post, application.Id, "auth/sign-up", publicKey))
        {
            request.Content = JsonContent.Create(new { email = "ada@example.com", password = "correct horse" });
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            userId = Assert.Single(response.Headers.GetValues("X-AuthSome-User-ID"));
            Assert.Equal(userId, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("user").GetProperty("id").GetString());
            Assert.Equal(SimulatedRegion.Name, Assert.Single(response.Headers.GetValues("X-AuthSome-Region")));
        }

        using (var request = ProxyHost.Request(HttpMethod.Get, application.Id, "users?limit=5", secretKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var echo = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(("GET", "/v1/users"), (echo.GetProperty("method").GetString(), echo.GetProperty("path").GetString()));
        }

        var keys = new MeteringKeys(host.App.Services.GetRequiredService<IOptions<MeteringOptions>>().Value.RedisKeyPrefix);
        var now = host.App.Clock.GetUtcNow();
        var redis = host.App.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var mau = new RedisKey(keys.Mau(application.Id, now.Year, now.Month));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await redis.HyperLogLogLengthAsync(mau) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(1, await redis.HyperLogLogLengthAsync(mau));
        Assert.False(await redis.HyperLogLogAddAsync(mau, userId));
    }
}
