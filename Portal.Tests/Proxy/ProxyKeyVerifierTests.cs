using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Proxy;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>
/// Key verification against the real PostgreSQL and Redis: every refusal, the cache levels, and changes made through
/// the portal reaching other replicas within a second.
/// </summary>
public sealed class ProxyKeyVerifierTests(TestServers servers) : PortalTest(servers)
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Seeded(PortalUser Owner, Workspace Workspace, Application Application, string SecretKey, string PublicKey, string SecretKeyId);

    private async Task<Seeded> SeedAsync(ApplicationStatus status = ApplicationStatus.Active, PortalUser? owner = null)
    {
        owner ??= await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = $"storefront-{Guid.NewGuid():N}"[..20],
            Region = "eu-test-1",
            Status = status,
            InternalUrl = status == ApplicationStatus.Provisioning ? null : "http://authsome.authsome-app-x.svc.cluster.local:8080",
            CreatedAt = App.Clock.GetUtcNow(),
        };
        await using (var db = App.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(Ct);
        }

        var secret = await CreateKeyAsync(owner, application.Id, ApiKeyType.Secret, ["users:read"]);
        var pk = await CreateKeyAsync(owner, application.Id, ApiKeyType.Public, null);
        return new Seeded(owner, workspace, application, secret.Value, pk.Value, secret.Key.Id);
    }

    private async Task<CreatedApiKey> CreateKeyAsync(PortalUser owner, string applicationId, ApiKeyType type, IReadOnlyList<string>? scopes, DateTimeOffset? expiresAt = null)
    {
        var created = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .CreateAsync(WorkspaceSteps.ActorFor(owner), applicationId, $"key {type}", type, scopes, expiresAt, Ct));
        Assert.True(created.Succeeded, created.Failure?.Message);
        return created.Value;
    }

    private Task<ProxyReplica> ReplicaAsync() =>
        ProxyReplica.OfAsync(App);

    /// <summary>Verifies until the answer is <paramref name="expected"/>; returns how long that took.</summary>
    private static async Task<TimeSpan> UntilAsync(ProxyKeyVerifier verifier, string key, string applicationId, KeyRefusal expected)
    {
        var watch = Stopwatch.StartNew();
        while ((await verifier.VerifyAsync(key, applicationId, Ct)).Refusal != expected)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"still not {expected} after 10 s");
            await Task.Delay(5, Ct);
        }

        return watch.Elapsed;
    }

    [Fact]
    public async Task AKeyOfTheRouteApplication_IsAccepted_WithWhatTheProxyNeeds_ThenFromMemoryWithoutWaiting()
    {
        var seeded = await SeedAsync();
        await using var replica = await ReplicaAsync();

        var verified = await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct);

        Assert.True(verified.Succeeded, verified.Refusal.ToString());
        Assert.Equal(200, verified.StatusCode);
        var (key, application) = (verified.Key!, verified.Application!);
        Assert.Equal((seeded.SecretKeyId, seeded.Application.Id, ApiKeyType.Secret), (key.KeyId, key.ApplicationId, key.Type));
        Assert.Equal(["users:read"], key.Scopes);
        Assert.True(key.HasScope("users:read"));
        Assert.False(key.HasScope("users:write"));
        Assert.StartsWith("sk_live_", key.DisplayPrefix, StringComparison.Ordinal);
        Assert.Null(key.ExpiresAt);
        Assert.Equal(("eu-test-1", "http://authsome.authsome-app-x.svc.cluster.local:8080", WorkspacePlan.Free, ApplicationStatus.Active),
            (application.Region, application.InternalUrl, application.Plan, application.Status));

        var again = replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct);
        Assert.True(again.IsCompletedSuccessfully);
        Assert.True((await again).Succeeded);
        Assert.InRange(replica.Verifier.DatabaseLookups, 1, 2); // 2 when a parallel test's change raced the load

        var publicKey = await replica.Verifier.VerifyAsync(seeded.PublicKey, seeded.Application.Id, Ct);
        Assert.True(publicKey.Succeeded);
        Assert.Equal(ApiKeyType.Public, publicKey.Key!.Type);
        Assert.Empty(publicKey.Key.Scopes);
    }

    [Fact]
    public async Task Refusals_Missing_Malformed_Unknown_OtherApplication_Revoked_Expired_AreUnauthorized()
    {
        var seeded = await SeedAsync();
        var other = await SeedAsync(owner: seeded.Owner);
        var expiring = await CreateKeyAsync(seeded.Owner, seeded.Application.Id, ApiKeyType.Secret, null, App.Clock.GetUtcNow().AddMinutes(5));
        var revoked = await CreateKeyAsync(seeded.Owner, seeded.Application.Id, ApiKeyType.Secret, null);
        Assert.True((await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .RevokeAsync(WorkspaceSteps.ActorFor(seeded.Owner), seeded.Application.Id, revoked.Key.Id, Ct))).Succeeded);
        await using var replica = await ReplicaAsync();
        var appId = seeded.Application.Id;

        async Task<KeyVerification> Verify(string? key) => await replica.Verifier.VerifyAsync(key, appId, Ct);

        Assert.Equal(KeyRefusal.Missing, (await Verify(null)).Refusal);
        Assert.Equal(KeyRefusal.Missing, (await Verify("")).Refusal);
        Assert.Equal(KeyRefusal.Unknown, (await Verify("Bearer nonsense")).Refusal);
        Assert.Equal(KeyRefusal.Unknown, (await Verify(new string('x', 5000))).Refusal);
        Assert.Equal(KeyRefusal.Unknown, (await Verify(ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Staging))).Refusal);
        Assert.Equal(KeyRefusal.OtherApplication, (await Verify(other.SecretKey)).Refusal);
        Assert.Equal(KeyRefusal.Revoked, (await Verify(revoked.Value)).Refusal);
        Assert.True((await Verify(expiring.Value)).Succeeded);
        App.Clock.Advance(TimeSpan.FromMinutes(5));
        var expired = await Verify(expiring.Value);
        Assert.Equal((KeyRefusal.Expired, 401), (expired.Refusal, expired.StatusCode));
        // Refusals of a found key name it by its display prefix only (what logs may show).
        Assert.Equal(expiring.Key.DisplayPrefix, expired.Key!.DisplayPrefix);
        Assert.Equal(KeyRefusal.Expired, (await Verify(expiring.Value)).Refusal);
    }

    [Theory]
    [InlineData(ApplicationStatus.Provisioning, "provisioning")]
    [InlineData(ApplicationStatus.Suspended, "suspended")]
    [InlineData(ApplicationStatus.Failed, "failed")]
    public async Task AnApplicationNotServing_IsServiceUnavailable_WithTheReason(ApplicationStatus status, string reason)
    {
        var seeded = await SeedAsync(status);
        await using var replica = await ReplicaAsync();

        var verified = await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct);

        Assert.Equal((KeyRefusal.ApplicationUnavailable, 503, reason), (verified.Refusal, verified.StatusCode, verified.Application!.UnavailableReason));
    }

    [Fact]
    public async Task AFloodOfOneUnknownKey_ReachesTheDatabaseOnce()
    {
        await using var replica = await ReplicaAsync();
        var unknown = ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => replica.Verifier.VerifyAsync(unknown, "app_x", Ct).AsTask()));

        Assert.All(answers, a => Assert.Equal(KeyRefusal.Unknown, a.Refusal));
        Assert.Equal(1, replica.Verifier.DatabaseLookups);
    }

    [Fact]
    public async Task ASecondReplica_FindsTheKeyInRedis_NotInTheDatabase()
    {
        var seeded = await SeedAsync();
        await using var first = await ReplicaAsync();
        await using var second = await ReplicaAsync();

        Assert.True((await first.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Succeeded);
        Assert.True((await second.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Succeeded);

        // One query finds the key with its application. A change to any application published while it ran (parallel
        // tests) keeps the application out of the cache, and then one more query loads it.
        Assert.Equal(0, first.Verifier.RedisHits);
        Assert.InRange(first.Verifier.DatabaseLookups, 1, 2);
        // The key from Redis; only its application from the database (applications are not shared through Redis).
        Assert.Equal((1, 1), (second.Verifier.RedisHits, second.Verifier.DatabaseLookups));
    }

    [Fact]
    public async Task AKeyRevokedThroughThePortal_IsRefusedByEveryReplica_WithinOneSecond()
    {
        var seeded = await SeedAsync();
        await using var first = await ReplicaAsync();
        await using var second = await ReplicaAsync();
        foreach (var replica in new[] { first, second })
        {
            await replica.Verifier.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True((await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Succeeded);
        }

        var watch = Stopwatch.StartNew();
        var revoked = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .RevokeAsync(WorkspaceSteps.ActorFor(seeded.Owner), seeded.Application.Id, seeded.SecretKeyId, Ct));
        Assert.True(revoked.Succeeded);
        var saved = watch.Elapsed;

        var took = await Task.WhenAll(
            UntilAsync(first.Verifier, seeded.SecretKey, seeded.Application.Id, KeyRefusal.Revoked),
            UntilAsync(second.Verifier, seeded.SecretKey, seeded.Application.Id, KeyRefusal.Revoked));

        Assert.All(took, t => Assert.True(t < OneSecond, $"refused after {t.TotalMilliseconds} ms (revocation saved in {saved.TotalMilliseconds} ms)"));
        Assert.True((await first.Verifier.VerifyAsync(seeded.PublicKey, seeded.Application.Id, Ct)).Succeeded);
    }

    [Fact]
    public async Task ARotatedKeyWithNoOverlap_IsRefusedAsExpired_WithinOneSecond_AndItsReplacementWorks()
    {
        var seeded = await SeedAsync();
        await using var replica = await ReplicaAsync();
        await replica.Verifier.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True((await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Succeeded);

        var rotated = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .RotateAsync(WorkspaceSteps.ActorFor(seeded.Owner), seeded.Application.Id, seeded.SecretKeyId, App.Clock.GetUtcNow(), Ct));
        Assert.True(rotated.Succeeded, rotated.Failure?.Message);

        Assert.True(await UntilAsync(replica.Verifier, seeded.SecretKey, seeded.Application.Id, KeyRefusal.Expired) < OneSecond);
        Assert.True((await replica.Verifier.VerifyAsync(rotated.Value.Value, seeded.Application.Id, Ct)).Succeeded);
    }

    [Fact]
    public async Task DeletingAndRestoringTheApplication_ReachesTheReplica_WithinOneSecond()
    {
        var seeded = await SeedAsync();
        await using var replica = await ReplicaAsync();
        await replica.Verifier.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True((await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Succeeded);
        var actor = WorkspaceSteps.ActorFor(seeded.Owner);

        Assert.True((await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteApplication>().ExecuteAsync(actor, seeded.Application.Id, null, Ct))).Succeeded);
        Assert.True(await UntilAsync(replica.Verifier, seeded.SecretKey, seeded.Application.Id, KeyRefusal.ApplicationUnavailable) < OneSecond);
        Assert.Equal("deleting", (await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Application!.UnavailableReason);

        // Never provisioned here, so the restore provisions it again: the replica sees "provisioning" instead of "deleting".
        var restored = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteApplication>().RestoreAsync(actor, seeded.Application.Id, Ct));
        Assert.True(restored.Succeeded, restored.Failure?.Message);
        Assert.Equal(ApplicationStatus.Provisioning, restored.Value!.Status);
        var watch = Stopwatch.StartNew();
        while ((await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Application!.UnavailableReason != "provisioning")
        {
            Assert.True(watch.Elapsed < OneSecond, "the restore did not reach the replica within a second");
            await Task.Delay(5, Ct);
        }
    }

    [Fact]
    public async Task WithRedisStopped_KeysAreVerifiedFromTheDatabase_AndRedisIsUsedAgainOnceBack()
    {
        var seeded = await SeedAsync();
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            await using var replica = await ProxyReplica.OfAsync(App, redis.ConnectionString, new Dictionary<string, string?> { ["Proxy:RedisRetryInterval"] = "00:00:00.200" });
            await redis.StopAsync();

            var verified = await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct);
            Assert.True(verified.Succeeded, verified.Refusal.ToString());
            Assert.Equal(KeyRefusal.OtherApplication, (await replica.Verifier.VerifyAsync(seeded.SecretKey, "app_other", Ct)).Refusal);

            await redis.StartAsync();
            var watch = Stopwatch.StartNew();
            while (!replica.Redis.IsConnected && watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50, Ct);
            }

            // Once back, the replica forgot what it cached meanwhile and fills Redis again. The clock moves past the retry
            // interval (a call that failed while the connection came back keeps Redis aside that long); the restored
            // connection's event reaches the replica on its own time, hence the wait for its effect.
            App.Clock.Advance(TimeSpan.FromSeconds(1));
            var stored = await Eventually.WaitAsync(async () =>
            {
                Assert.True((await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.Application.Id, Ct)).Succeeded);
                return (string?)await replica.Redis.GetDatabase().HashGetAsync(ProxyKeyRedisKeys.Record("authsome:proxy:", KeyHash.Of(seeded.SecretKey).ToHex()), "id");
            }, id => id is not null, "the key's record written back to Redis");
            Assert.Equal(seeded.SecretKeyId, stored);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}
