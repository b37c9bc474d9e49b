using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Audit;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;
using static Portal.Tests.Webhooks.WebhookSteps;

namespace Portal.Tests.Webhooks;

/// <summary>
/// Webhooks end to end against a real receiver on a loopback port (so private destinations are allowed here): signing,
/// the outbox, retries, redelivery, secret rotation and the secret's storage.
/// </summary>
public sealed class WebhookDeliveryTests(TestServers servers) : PortalTest(servers), IAsyncLifetime
{
    private static readonly string[] KeyCreatedOnly = [PlatformEventTypes.KeyCreated];
    private static readonly string[] WithAnUnknownEvent = [PlatformEventTypes.KeyCreated, "key.stolen"];
    private static readonly string[] TestEventOnly = [PlatformEventTypes.Test];
    private static readonly string[] CreatedAndRotated = [PlatformEventTypes.KeyCreated, PlatformEventTypes.KeyRotated];

    private WebhookReceiver _receiver = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings => new() { ["Webhooks:AllowPrivateDestinations"] = "true" };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<(string Id, string Secret)> CreateEndpointAsync(Owner owner, params string[] events)
    {
        var response = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks",
            new { url = _receiver.Hook.ToString(), events = events.Length == 0 ? [PlatformEventTypes.KeyCreated] : events, description = "orders service" });
        var body = await BodyAsync(response);
        Assert.True((int)response.StatusCode == 201, body.ToJsonString());
        return ((string)body["id"]!, (string)body["secret"]!);
    }

    private Task<Core.Outcome<CreatedApiKey>> CreateKeyAsync(Owner owner) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .CreateAsync(Actor.User(owner.User.Id, owner.User.Email), owner.Application.Id, "ci", ApiKeyType.Secret, ["users:read"], null, Ct));

    private static async Task<string> SendTestAsync(Owner owner, string endpointId)
    {
        var response = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}/test", null);
        var body = await BodyAsync(response);
        Assert.True((int)response.StatusCode == 202, body.ToJsonString());
        return (string)body["id"]!;
    }

    [Fact]
    public async Task KeyCreated_IsDeliveredSigned_AndTheReceiverVerifiesItWithTheSecretItWasShown()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var (endpointId, secret) = await CreateEndpointAsync(owner);
        Assert.Matches("^whsec_[0-9A-Za-z]{43}$", secret);

        var key = await CreateKeyAsync(owner);

        // The outbox: the delivery committed with the key, and was handed to the queue after the commit.
        var delivery = Assert.Single(await DeliveriesAsync(App, endpointId));
        Assert.Equal(PlatformEventTypes.KeyCreated, delivery.EventType);
        Assert.NotNull(delivery.QueuedAt);
        var queued = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 1000);
        Assert.Contains(queued, job => job.Value.Job.Args.Contains(delivery.Id));

        var attempt = await DeliverAsync(App, delivery.Id);

        Assert.Equal(200, attempt?.StatusCode);
        var received = Assert.Single(_receiver.Requests);
        Assert.Equal(1, MatchingSignatures(received.Headers["AuthSome-Signature"], received.Body, secret));
        Assert.Equal(0, MatchingSignatures(received.Headers["AuthSome-Signature"], received.Body.Replace("ci", "cj", StringComparison.Ordinal), secret));
        Assert.True(WebhookSignature.Verify(received.Headers["AuthSome-Signature"], received.Body, secret, App.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.Equal("key.created", received.Headers["AuthSome-Event"]);
        Assert.Equal(delivery.Id, received.Headers["AuthSome-Delivery"]);
        Assert.StartsWith("AuthSome-Webhooks/", received.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
        var body = JsonNode.Parse(received.Body)!;
        Assert.Equal(delivery.EventId, (string?)body["id"]);
        Assert.StartsWith("evt_", (string?)body["id"], StringComparison.Ordinal);
        Assert.Equal("key.created", (string?)body["event"]);
        Assert.Equal(App.Clock.GetUtcNow().UtcDateTime, (DateTime)body["timestamp"]!, TimeSpan.FromSeconds(1));
        Assert.Equal(key.Value!.Key.Id, (string?)body["data"]!["id"]);
        Assert.Equal("secret", (string?)body["data"]!["type"]);
        Assert.DoesNotContain(key.Value.Value[8..], received.Body, StringComparison.Ordinal);
        var settled = await DeliveryAsync(App, delivery.Id);
        Assert.Equal(WebhookDeliveryStatus.Succeeded, settled.Status);
        Assert.Null(settled.NextAttemptAt);

        // A second job for the same delivery (the sweeper's duplicate) sends nothing.
        Assert.Null(await DeliverAsync(App, delivery.Id));
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task A500_IsRetriedWithBackoff_ThenSucceeds_AndBothAttemptsAreVisible()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var (endpointId, _) = await CreateEndpointAsync(owner);
        _receiver.AnswerNext(500, "database is down");
        var deliveryId = await SendTestAsync(owner, endpointId);

        var first = await DeliverAsync(App, deliveryId);

        Assert.Equal(500, first?.StatusCode);
        var pending = await DeliveryAsync(App, deliveryId);
        Assert.Equal(WebhookDeliveryStatus.Pending, pending.Status);
        var delay = pending.NextAttemptAt!.Value - App.Clock.GetUtcNow();
        Assert.InRange(delay, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1.2));
        Assert.NotNull(pending.QueuedAt);
        Assert.Null(await DeliverAsync(App, deliveryId)); // not due yet

        App.Clock.Advance(delay);
        var second = await DeliverAsync(App, deliveryId);

        Assert.Equal(200, second?.StatusCode);
        Assert.Equal(2, _receiver.Requests.Count);
        Assert.Single(_receiver.Requests.Select(r => r.Body).Distinct());
        var page = await BodyAsync(await GetAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}/deliveries"));
        Assert.Equal(1, (int)page["total"]!);
        var listed = page["data"]![0]!;
        Assert.Equal("succeeded", (string?)listed["status"]);
        Assert.Equal("webhook.test", (string?)listed["event"]);
        Assert.Equal(2, (int)listed["attemptCount"]!);
        var attempts = listed["attempts"]!.AsArray();
        Assert.Equal([500, 200], attempts.Select(a => (int)a!["statusCode"]!));
        Assert.Equal("database is down", (string?)attempts[0]!["responseExcerpt"]);
        Assert.All(attempts, a => Assert.True((int)a!["durationMs"]! >= 0));
    }

    [Fact]
    public async Task AnEndpointThatKeepsFailing_IsRetriedFor24Hours_ThenTheDeliveryFails()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var (endpointId, _) = await CreateEndpointAsync(owner);
        for (var i = 0; i < 20; i++)
        {
            _receiver.AnswerNext(503, new string('x', 5000));
        }

        var deliveryId = await SendTestAsync(owner, endpointId);
        var created = App.Clock.GetUtcNow();
        WebhookDelivery delivery;
        while (true)
        {
            Assert.NotNull(await DeliverAsync(App, deliveryId));
            delivery = await DeliveryAsync(App, deliveryId);
            if (delivery.Status != WebhookDeliveryStatus.Pending)
            {
                break;
            }

            Assert.True(delivery.NextAttemptAt <= created + TimeSpan.FromHours(24));
            App.Clock.Advance(delivery.NextAttemptAt!.Value - App.Clock.GetUtcNow());
        }

        // 0, ~1 min, ~6 min, ~36 min, ~2.6 h, ~7.6 h, ~17.6 h; the next (~27.6 h) would be past the window.
        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(7, delivery.AttemptCount);
        Assert.Equal(7, delivery.Attempts.Count);
        Assert.All(delivery.Attempts, a => Assert.Equal(503, a.StatusCode));
        Assert.All(delivery.Attempts, a => Assert.Equal(WebhookSender.ExcerptBytes, a.ResponseExcerpt!.Length));
        Assert.Null(delivery.NextAttemptAt);
    }

    [Fact]
    public async Task Redelivery_SendsTheSameEventAgain_AsANewDeliveryWithItsOwnAttempts()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var (endpointId, _) = await CreateEndpointAsync(owner);
        var deliveryId = await SendTestAsync(owner, endpointId);
        await DeliverAsync(App, deliveryId);

        var response = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}/deliveries/{deliveryId}/redeliver", null);

        var body = await BodyAsync(response);
        Assert.Equal(202, (int)response.StatusCode);
        var redeliveryId = (string)body["id"]!;
        Assert.NotEqual(deliveryId, redeliveryId);
        Assert.Equal(deliveryId, (string?)body["redeliveryOf"]);
        Assert.Equal("pending", (string?)body["status"]);
        Assert.Equal(200, (await DeliverAsync(App, redeliveryId))?.StatusCode);
        var bodies = _receiver.Requests.Select(r => r.Body).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Equal(bodies[0], bodies[1]);
        Assert.Equal([deliveryId, redeliveryId], _receiver.Requests.Select(r => r.Headers["AuthSome-Delivery"]));
        await using var db = App.CreateDbContext();
        Assert.Equal(1, await db.Set<AuditEvent>().CountAsync(e => e.Action == "webhook.redelivered" && e.TargetId == endpointId, Ct));
        var missing = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}/deliveries/whd_nope/redeliver", null);
        await ErrorAsync(missing, 404, "not_found");
    }

    [Fact]
    public async Task DuringARotation_TwoSignaturesAreSent_ThenOnlyTheNewSecretSigns()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var (endpointId, oldSecret) = await CreateEndpointAsync(owner);
        var rotated = await BodyAsync(await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}/rotate-secret", null));
        var newSecret = (string)rotated["secret"]!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(App.Clock.GetUtcNow().AddHours(24), (DateTimeOffset)rotated["previousSecretExpiresAt"]!, TimeSpan.FromSeconds(1));

        await DeliverAsync(App, await SendTestAsync(owner, endpointId));
        var during = _receiver.Requests.Single();
        var header = during.Headers["AuthSome-Signature"];
        Assert.Equal(2, header.Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal)));
        Assert.Equal(1, MatchingSignatures(header, during.Body, newSecret));
        Assert.Equal(1, MatchingSignatures(header, during.Body, oldSecret));

        App.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        // (The session token has expired by now: the test event is sent through the use case.)
        var later = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageWebhooks>()
            .SendTestAsync(Actor.User(owner.User.Id, owner.User.Email), owner.Application.Id, endpointId, Ct));
        await DeliverAsync(App, later.Value!.Id);
        var after = _receiver.Requests.Last();
        Assert.Equal(1, MatchingSignatures(after.Headers["AuthSome-Signature"], after.Body, newSecret));
        Assert.Equal(0, MatchingSignatures(after.Headers["AuthSome-Signature"], after.Body, oldSecret));
        Assert.Single(after.Headers["AuthSome-Signature"].Split(','), p => p.StartsWith("v1=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateWithAnIdempotencyKey_ReplaysTheSecretOnce_AndKeepsItEncryptedInRedis()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var url = $"/control/v1/applications/{owner.Application.Id}/webhooks";
        var request = new { url = _receiver.Hook.ToString(), events = new[] { PlatformEventTypes.KeyCreated } };

        var first = await BodyAsync(await PostAsync(owner.Client, url, request, idempotencyKey: "hook-1"));
        var again = await PostAsync(owner.Client, url, request, idempotencyKey: "hook-1");

        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.Equal((string?)first["secret"], (string?)(await BodyAsync(again))["secret"]);
        await using (var db = App.CreateDbContext())
        {
            Assert.Equal(1, await db.Set<WebhookEndpoint>().CountAsync(Ct));
        }

        var redis = App.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>();
        var server = redis.GetServers().Single();
        var prefix = App.Services.GetRequiredService<Portal.Hosting.PortalOptions>().RedisKeyPrefix;
        var kept = server.Keys(pattern: prefix + "control-api:idempotency:*").ToList();
        Assert.NotEmpty(kept);
        foreach (var key in kept)
        {
            Assert.DoesNotContain("whsec_", (string?)await redis.GetDatabase().StringGetAsync(key) ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheSecret_IsEncryptedAtRest_AndNeverListedOrAudited()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var (endpointId, secret) = await CreateEndpointAsync(owner);
        var rotated = (string)(await BodyAsync(await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}/rotate-secret", null)))["secret"]!;

        await using var db = App.CreateDbContext();
        var row = await db.Database.SqlQuery<string>($"SELECT row_to_json(e)::text AS \"Value\" FROM \"WebhookEndpoints\" e").SingleAsync(Ct);
        Assert.DoesNotContain(secret[6..], row, StringComparison.Ordinal);
        Assert.DoesNotContain(rotated[6..], row, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", row, StringComparison.Ordinal);
        var stored = await db.Set<WebhookEndpoint>().SingleAsync(Ct);
        var secrets = App.Services.GetRequiredService<WebhookSecrets>();
        Assert.Equal(rotated, secrets.Unprotect(stored.ProtectedSecret));
        Assert.Equal(secret, secrets.Unprotect(stored.ProtectedPreviousSecret!));

        var audited = await db.Set<AuditEvent>().Where(e => e.TargetId == endpointId).OrderBy(e => e.Id).ToListAsync(Ct);
        Assert.Equal(["webhook.created", "webhook.secret_rotated"], audited.Select(e => e.Action));
        Assert.All(audited, e => Assert.DoesNotContain("whsec_", e.Changes ?? "", StringComparison.Ordinal));
        var listed = (await GetAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks")).Content;
        var one = (await GetAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}")).Content;
        Assert.DoesNotContain("whsec_", await listed.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", await one.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_AreValidated_AndOnlySubscribedEnabledEndpointsGetDeliveries()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var url = $"/control/v1/applications/{owner.Application.Id}/webhooks";
        var unknown = await ErrorAsync(await PostAsync(owner.Client, url, new { url = _receiver.Hook.ToString(), events = WithAnUnknownEvent }), 400, "invalid_request");
        Assert.Equal("events", (string?)unknown["details"]!["field"]);
        Assert.Contains("key.stolen", (string?)unknown["message"], StringComparison.Ordinal);
        var none = await ErrorAsync(await PostAsync(owner.Client, url, new { url = _receiver.Hook.ToString(), events = Array.Empty<string>() }), 400, "invalid_request");
        Assert.Equal("events", (string?)none["details"]!["field"]);
        var test = await ErrorAsync(await PostAsync(owner.Client, url, new { url = _receiver.Hook.ToString(), events = TestEventOnly }), 400, "invalid_request");
        Assert.Equal("events", (string?)test["details"]!["field"]);
        var extra = await ErrorAsync(await SendAsync(owner.Client, HttpMethod.Post, url,
            Portal.Tests.Infrastructure.ControlApiSteps.Json($$"""{"url":"{{_receiver.Hook}}","events":["key.created"],"secret":"whsec_mine"}""")), 400, "invalid_request");
        Assert.Contains("secret", extra.ToJsonString(), StringComparison.Ordinal);
        var badUrl = await ErrorAsync(await PostAsync(owner.Client, url, new { url = "ftp://example.com/x", events = KeyCreatedOnly }), 400, "invalid_request");
        Assert.Equal("url", (string?)badUrl["details"]!["field"]);

        var (revokedOnly, _) = await CreateEndpointAsync(owner, PlatformEventTypes.KeyRevoked);
        var (disabled, _) = await CreateEndpointAsync(owner, PlatformEventTypes.KeyCreated);
        var patched = await BodyAsync(await PatchAsync(owner.Client, $"{url}/{disabled}", new { enabled = false, events = CreatedAndRotated }));
        Assert.False((bool)patched["enabled"]!);
        Assert.Equal(["key.created", "key.rotated"], patched["events"]!.AsArray().Select(e => (string)e!));
        var (subscribed, _) = await CreateEndpointAsync(owner, PlatformEventTypes.KeyCreated, PlatformEventTypes.KeyRevoked);

        var key = (await CreateKeyAsync(owner)).Value!;
        App.Clock.Advance(TimeSpan.FromSeconds(1));
        await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .RevokeAsync(Actor.User(owner.User.Id, owner.User.Email), owner.Application.Id, key.Key.Id, Ct));

        Assert.Equal(["key.revoked"], (await DeliveriesAsync(App, revokedOnly)).Select(d => d.EventType));
        Assert.Empty(await DeliveriesAsync(App, disabled));
        var both = await DeliveriesAsync(App, subscribed);
        Assert.Equal(["key.created", "key.revoked"], both.Select(d => d.EventType));
        // One event, one id, whichever endpoint receives it.
        Assert.Equal(both[1].EventId, (await DeliveriesAsync(App, revokedOnly))[0].EventId);

        Assert.Equal(204, (int)(await DeleteAsync(owner.Client, $"{url}/{subscribed}")).StatusCode);
        await ErrorAsync(await GetAsync(owner.Client, $"{url}/{subscribed}"), 404, "not_found");
        Assert.Empty(await DeliveriesAsync(App, subscribed));
    }

    [Fact]
    public async Task TheSweeper_QueuesDueDeliveriesThatWereNeverQueued_Once()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var (endpointId, _) = await CreateEndpointAsync(owner);
        var now = App.Clock.GetUtcNow();
        // As if the process died between the commit and the enqueue.
        var lost = PlatformEvents.NewDelivery(endpointId, "evt_lost", PlatformEventTypes.KeyCreated, "{}", now - TimeSpan.FromMinutes(2));
        var fresh = PlatformEvents.NewDelivery(endpointId, "evt_fresh", PlatformEventTypes.KeyCreated, "{}", now);
        await using (var db = App.CreateDbContext())
        {
            db.AddRange(lost, fresh);
            await db.SaveChangesAsync(Ct);
        }

        var sweep = () => WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<SweepWebhookDeliveries>().ExecuteAsync(Ct));

        Assert.Equal(1, await sweep());
        Assert.Equal(0, await sweep());
        Assert.NotNull((await DeliveryAsync(App, lost.Id)).QueuedAt);
        Assert.Null((await DeliveryAsync(App, fresh.Id)).QueuedAt);
        var queued = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 1000);
        Assert.Single(queued, job => job.Value.Job.Args.Contains(lost.Id));

        // Queued long ago and never run (the job was lost): queued again.
        App.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(2, await sweep());
    }
}
