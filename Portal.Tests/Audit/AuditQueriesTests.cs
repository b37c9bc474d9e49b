using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Audit;

public sealed class AuditQueriesTests(TestServers servers) : PortalTest(servers)
{
    private AuditQueries Queries => App.Services.GetRequiredService<AuditQueries>();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A workspace with its "workspace.created" event plus the given events, in that order.</summary>
    private async Task<(string OwnerId, string WorkspaceId)> WorkspaceWithEventsAsync(params (string ActorId, string ActorName, string Action, TimeSpan Ago)[] events)
    {
        var owner = await WorkspaceSteps.AddUserAsync(App, "owner@example.com");
        var workspaceId = await WorkspaceSteps.CreateWorkspaceAsync(App, owner.Id);
        await using var db = App.CreateDbContext();
        var now = App.Clock.GetUtcNow();
        foreach (var (actorId, actorName, action, ago) in events)
        {
            db.Add(new AuditEvent
            {
                OccurredAt = now - ago,
                WorkspaceId = workspaceId,
                ActorType = ActorTypes.User,
                ActorId = actorId,
                ActorName = actorName,
                Action = action,
                TargetType = AuditTargets.Member,
                TargetId = "mem_x",
            });
        }

        // Another workspace's events never show.
        db.Add(new AuditEvent { OccurredAt = now, WorkspaceId = "ws_other", ActorType = ActorTypes.User, ActorId = owner.Id, Action = "member.joined", TargetType = AuditTargets.Member });
        await db.SaveChangesAsync(Cancel);
        return (owner.Id, workspaceId);
    }

    [Fact]
    public async Task List_FiltersByActorIdOrName_ActionExactOrPrefix_AndDates()
    {
        var (ownerId, ws) = await WorkspaceWithEventsAsync(
            ("usr_alice", "alice@example.com", "member.joined", TimeSpan.FromDays(3)),
            ("usr_bob", "bob@example.com", "member.role_changed", TimeSpan.FromDays(2)),
            ("usr_alice", "alice@example.com", "invitation.created", TimeSpan.FromDays(1)),
            ("usr_bob", "Bob_%Builder", "member.removed", TimeSpan.FromHours(1)));
        var now = App.Clock.GetUtcNow();

        async Task<string[]> ActionsAsync(AuditFilter filter)
        {
            var page = await Queries.ListAsync(ownerId, ws, filter, cancellationToken: Cancel);
            Assert.True(page.Succeeded);
            return [.. page.Value.Data.Select(e => e.Action)];
        }

        Assert.Equal(["member.removed", "invitation.created", "member.role_changed", "member.joined", "workspace.created"], await ActionsAsync(AuditFilter.None));
        Assert.Equal(["invitation.created", "member.joined"], await ActionsAsync(new AuditFilter(Actor: "usr_alice")));
        Assert.Equal(["invitation.created", "member.joined"], await ActionsAsync(new AuditFilter(Actor: "ALICE@")));
        // LIKE wildcards typed in the filter are taken literally.
        Assert.Equal(["member.removed"], await ActionsAsync(new AuditFilter(Actor: "_%b")));
        Assert.Equal(["member.role_changed"], await ActionsAsync(new AuditFilter(Action: "member.role_changed")));
        Assert.Equal(["member.removed", "member.role_changed", "member.joined"], await ActionsAsync(new AuditFilter(Action: "member.")));
        Assert.Equal(["member.removed", "member.role_changed", "member.joined"], await ActionsAsync(new AuditFilter(Action: "member.*")));
        Assert.Empty(await ActionsAsync(new AuditFilter(Action: "member")));
        Assert.Equal(["invitation.created", "member.role_changed"],
            await ActionsAsync(new AuditFilter(From: now - TimeSpan.FromDays(2.5), To: now - TimeSpan.FromHours(2))));
        Assert.Equal(["member.role_changed"],
            await ActionsAsync(new AuditFilter(Actor: "bob", Action: "member.", To: now - TimeSpan.FromDays(1))));
    }

    [Fact]
    public async Task List_PagesNewestFirst_WithTheTotal_AndKeysetPagesAgree()
    {
        var events = Enumerable.Range(1, 12).Select(i => ("usr_a", "a@example.com", $"member.e{i:00}", TimeSpan.FromMinutes(100 - i))).ToArray();
        var (ownerId, ws) = await WorkspaceWithEventsAsync(events);

        var second = await Queries.ListAsync(ownerId, ws, AuditFilter.None, page: 2, pageSize: 5, cancellationToken: Cancel);

        Assert.Equal(13, second.Value!.Total);
        Assert.Equal(["member.e07", "member.e06", "member.e05", "member.e04", "member.e03"], second.Value.Data.Select(e => e.Action));
        var first = await Queries.ListBeforeAsync(ownerId, ws, AuditFilter.None, null, 5, Cancel);
        var next = await Queries.ListBeforeAsync(ownerId, ws, AuditFilter.None, first.Value![^1].Id, 5, Cancel);
        Assert.Equal(second.Value.Data.Select(e => e.Id), next.Value!.Select(e => e.Id));
        var last = await Queries.ListAsync(ownerId, ws, AuditFilter.None, page: 3, pageSize: 5, cancellationToken: Cancel);
        Assert.Equal(["member.e02", "member.e01", "workspace.created"], last.Value!.Data.Select(e => e.Action));
    }

    [Theory]
    [InlineData(0, 10, "page")]
    [InlineData(1, 0, "pageSize")]
    [InlineData(1, Page<AuditEvent>.MaxPageSize + 1, "pageSize")]
    public async Task List_BadPage_IsInvalid(int page, int pageSize, string field)
    {
        var (ownerId, ws) = await WorkspaceWithEventsAsync();

        var result = await Queries.ListAsync(ownerId, ws, AuditFilter.None, page, pageSize, Cancel);

        Assert.Equal(FailureCode.InvalidRequest, result.Failure!.Code);
        Assert.Equal(field, result.Failure.Field);
    }

    [Fact]
    public async Task List_ForSomeoneWhoIsNotAMember_IsNotFound_AndStreamingRefuses()
    {
        var (_, ws) = await WorkspaceWithEventsAsync(("usr_a", "a@example.com", "member.joined", TimeSpan.Zero));
        var stranger = await WorkspaceSteps.AddUserAsync(App);
        await WorkspaceSteps.CreateWorkspaceAsync(App, stranger.Id);

        Assert.Equal(FailureCode.NotFound, (await Queries.ListAsync(stranger.Id, ws, AuditFilter.None, cancellationToken: Cancel)).Failure!.Code);
        Assert.Equal(FailureCode.NotFound, (await Queries.ListAsync(null, ws, AuditFilter.None, cancellationToken: Cancel)).Failure!.Code);
        Assert.NotNull(await Queries.CheckAccessAsync(stranger.Id, ws, Cancel));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(async () =>
        {
            await foreach (var _ in Queries.StreamAsync(stranger.Id, ws, AuditFilter.None, Cancel))
            {
            }
        });
    }

    [Fact]
    public async Task List_ForAViewer_Works()
    {
        var (_, ws) = await WorkspaceWithEventsAsync(("usr_a", "a@example.com", "member.joined", TimeSpan.Zero));
        var viewer = await WorkspaceSteps.AddUserAsync(App);
        await using (var db = App.CreateDbContext())
        {
            db.Add(new Member { WorkspaceId = ws, UserId = viewer.Id, Role = WorkspaceRole.Viewer, JoinedAt = App.Clock.GetUtcNow() });
            await db.SaveChangesAsync(Cancel);
        }

        var page = await Queries.ListAsync(viewer.Id, ws, AuditFilter.None, cancellationToken: Cancel);

        Assert.Equal(2, page.Value!.Total);
    }
}
