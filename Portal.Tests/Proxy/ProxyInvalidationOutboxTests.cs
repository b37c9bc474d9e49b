using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Proxy;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Proxy;

/// <summary>
/// A revocation reaches the proxies even when its publish fails or the process dies right after saving it: its
/// outbox row, saved with it, is published once Redis answers. This class's Redis is its own and persistent (a
/// production Redis keeps the proxies' shared key records across a restart), so that it can be stopped.
/// </summary>
public sealed class ProxyInvalidationOutboxTests(TestServers servers) : PortalTest(servers)
{
    private readonly RedisServer _redis = RedisServer.Persistent();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override async Task<PortalApp> CreateAppAsync()
    {
        await _redis.InitializeAsync();
        return await PortalApp.CreateAsync(Servers, Settings, _redis);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private sealed record Seeded(PortalUser Owner, Application Application, CreatedApiKey Key);

    private async Task<Seeded> SeedAsync()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = $"storefront-{Guid.NewGuid():N}"[..20],
            Region = "eu-test-1",
            Status = ApplicationStatus.Active,
            InternalUrl = "http://authsome.authsome-app-x.svc.cluster.local:8080",
            CreatedAt = App.Clock.GetUtcNow(),
        };
        await using (var db = App.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(Ct);
        }

        var created = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .CreateAsync(WorkspaceSteps.ActorFor(owner), application.Id, "server", ApiKeyType.Secret, ["*"], null, Ct));
        Assert.True(created.Succeeded, created.Failure?.Message);
        return new Seeded(owner, application, created.Value);
    }

    /// <summary>A proxy replica that verified the key once: it is in its memory and in Redis's shared record.</summary>
    private async Task<ProxyReplica> ReplicaKnowingAsync(Seeded seeded)
    {
        var replica = await ProxyReplica.OfAsync(App, _redis.ConnectionString, new Dictionary<string, string?> { ["Proxy:RedisRetryInterval"] = "00:00:00.200" });
        await replica.Verifier.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True((await replica.Verifier.VerifyAsync(seeded.Key.Value, seeded.Application.Id, Ct)).Succeeded);
        Assert.True(await replica.Redis.GetDatabase().KeyExistsAsync(ProxyKeyRedisKeys.Record("authsome:proxy:", KeyHash.Of(seeded.Key.Value).ToHex())));
        return replica;
    }

    private static async Task<TimeSpan> UntilRevokedAsync(ProxyReplica replica, Seeded seeded, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while ((await replica.Verifier.VerifyAsync(seeded.Key.Value, seeded.Application.Id, Ct)).Refusal != KeyRefusal.Revoked)
        {
            Assert.True(watch.Elapsed < within, $"the revoked key was still accepted after {within.TotalSeconds} s");
            await Task.Delay(20, Ct);
        }

        return watch.Elapsed;
    }

    private async Task<int> OutboxCountAsync()
    {
        await using var db = App.CreateDbContext();
        return await db.Set<ProxyInvalidation>().CountAsync(Ct);
    }

    private static async Task UntilConnectedAsync(IConnectionMultiplexer redis)
    {
        var watch = Stopwatch.StartNew();
        while (!redis.IsConnected)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "Redis did not reconnect");
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task AKeyRevokedWhileRedisIsDown_IsRefusedWithinTwoSecondsOfRedisBeingBack()
    {
        var seeded = await SeedAsync();
        await using var replica = await ReplicaKnowingAsync(seeded);
        await _redis.StopAsync();

        var revoked = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .RevokeAsync(WorkspaceSteps.ActorFor(seeded.Owner), seeded.Application.Id, seeded.Key.Key.Id, Ct));
        Assert.True(revoked.Succeeded, revoked.Failure?.Message);
        Assert.Equal(1, await OutboxCountAsync());

        // Back with its data: the replica's shared record of the key (valid for a minute) survived the restart.
        await _redis.StartAsync();
        await UntilConnectedAsync(App.Services.GetRequiredService<IConnectionMultiplexer>());
        await UntilConnectedAsync(replica.Redis);

        var took = await UntilRevokedAsync(replica, seeded, TimeSpan.FromSeconds(2));
        Assert.True(took < TimeSpan.FromSeconds(2), $"refused after {took.TotalMilliseconds} ms");
        var watch = Stopwatch.StartNew();
        while (await OutboxCountAsync() > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "the published row was not deleted");
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task ARowLeftUnpublished_AsByAProcessThatDiedAfterSaving_IsPublishedByTheRetrier()
    {
        var seeded = await SeedAsync();
        await using var replica = await ReplicaKnowingAsync(seeded);

        // What a revocation saves in its transaction, then the process dies before publishing.
        await using (var db = App.CreateDbContext())
        {
            var key = await db.Set<ApiKey>().SingleAsync(k => k.Id == seeded.Key.Key.Id, Ct);
            key.RevokedAt = App.Clock.GetUtcNow();
            App.Services.GetRequiredService<ProxyInvalidationOutbox>().Key(db, key.Hash);
            await db.SaveChangesAsync(Ct);
        }

        await UntilRevokedAsync(replica, seeded, TimeSpan.FromSeconds(3));
        var watch = Stopwatch.StartNew();
        while (await OutboxCountAsync() > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "the published row was not deleted");
            await Task.Delay(50, Ct);
        }
    }
}
