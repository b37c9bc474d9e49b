using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Hosting;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

/// <summary>
/// An <c>Idempotency-Key</c> in progress holds a short lease (3 s here) that its request renews while it runs: a live
/// request keeps others out (409), a marker nobody renews (its process died) lets the key be retried once it lapses.
/// The lease is a Redis expiry, so these tests wait on real time, a few seconds.
/// </summary>
public sealed class ControlApiIdempotencyLeaseTests(TestServers servers) : PortalTest(servers)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings => new() { ["ControlApi:IdempotencyLease"] = Lease.ToString() };

    private IDatabase Redis => App.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    private RedisKey MarkerKey(TestUser user, string key) =>
        $"{App.Services.GetRequiredService<PortalOptions>().RedisKeyPrefix}control-api:idempotency:{user.Id}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}";

    [Fact]
    public async Task ALiveRequest_HoldsOnlyAShortLease_RenewedWhileItRuns_ThenItsAnswerIsKept24Hours()
    {
        var user = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, user));
        var marker = MarkerKey(user, "slow");
        // The test holds the workspaces table: the request's insert waits until the test lets it go.
        await using var blocker = new NpgsqlConnection(App.DatabaseConnectionString);
        await blocker.OpenAsync(Ct);
        await using var transaction = await blocker.BeginTransactionAsync(Ct);
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE \"Workspaces\" IN EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(Ct);
        }

        var slow = PostAsync(client, "/control/v1/workspaces", new { name = "Slow" }, idempotencyKey: "slow");
        var watch = Stopwatch.StartNew();
        while (!await Redis.KeyExistsAsync(marker))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the request never marked its key");
            await Task.Delay(20, Ct);
        }

        var ttl = await Redis.KeyTimeToLiveAsync(marker);
        Assert.True(ttl is { } t && t <= Lease, $"the in-progress marker expires in {ttl}, not within the lease");

        // Well past the lease, the request still runs and renews it: the same key is still refused.
        watch.Restart();
        while (watch.Elapsed < Lease * 2.5)
        {
            var during = await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "Slow" }, idempotencyKey: "slow"), 409, "conflict");
            Assert.Contains("still in progress", (string?)during["message"], StringComparison.Ordinal);
            await Task.Delay(250, Ct);
        }

        await transaction.RollbackAsync(Ct);
        var first = await slow;
        Assert.Equal(201, (int)first.StatusCode);
        var replay = await PostAsync(client, "/control/v1/workspaces", new { name = "Slow" }, idempotencyKey: "slow");
        Assert.Equal(201, (int)replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.True(await Redis.KeyTimeToLiveAsync(marker) > TimeSpan.FromHours(23));
    }

    [Fact]
    public async Task AMarkerNobodyRenews_LetsTheSameKeyBeRetried_OnceItsLeaseLapses()
    {
        var user = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, user));
        // What a process that died mid-request leaves: its pending marker, with the lease it took and nobody renewing it.
        await Redis.StringSetAsync(MarkerKey(user, "orphan"), """{"Fingerprint":"dead","Status":null,"Location":null,"Body":null,"Lease":"dead"}""", Lease);

        await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "Orphan" }, idempotencyKey: "orphan"), 409, "conflict");

        var watch = Stopwatch.StartNew();
        HttpResponseMessage retried;
        while ((int)(retried = await PostAsync(client, "/control/v1/workspaces", new { name = "Orphan" }, idempotencyKey: "orphan")).StatusCode == 409)
        {
            Assert.True(watch.Elapsed < Lease + TimeSpan.FromSeconds(15), "the key stayed blocked past its lease");
            await Task.Delay(100, Ct);
        }

        Assert.Equal(201, (int)retried.StatusCode);
    }
}
