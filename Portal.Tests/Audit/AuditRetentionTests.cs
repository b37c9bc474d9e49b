using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiTokens;
using Portal.Core.Audit;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Audit;

/// <summary>Retention by plan (free 7 days, pro 30, enterprise 90) and the clean-up of tokens that can no longer work.</summary>
public sealed class AuditRetentionTests(TestServers servers) : PortalTest(servers)
{
    private async Task AddEventAsync(string? workspaceId, TimeSpan age, string action)
    {
        await using var db = App.CreateDbContext();
        db.Add(new AuditEvent
        {
            OccurredAt = App.Clock.GetUtcNow() - age,
            WorkspaceId = workspaceId,
            ActorType = ActorTypes.System,
            Action = action,
            TargetType = "test",
        });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Purge_RemovesEventsPastTheirPlansRetention_AndKeepsTheRest()
    {
        var owner = await ControlApiSteps.CreateUserAsync(App);
        var free = await ControlApiSteps.CreateWorkspaceAsync(App, owner);
        var pro = await ControlApiSteps.CreateWorkspaceAsync(App, owner, WorkspacePlan.Pro);
        var enterprise = await ControlApiSteps.CreateWorkspaceAsync(App, owner, WorkspacePlan.Enterprise);
        await AddEventAsync(free, TimeSpan.FromDays(8), "free.old");
        await AddEventAsync(free, TimeSpan.FromDays(6), "free.kept");
        await AddEventAsync(pro, TimeSpan.FromDays(31), "pro.old");
        await AddEventAsync(pro, TimeSpan.FromDays(8), "pro.kept");
        await AddEventAsync(enterprise, TimeSpan.FromDays(91), "enterprise.old");
        await AddEventAsync(enterprise, TimeSpan.FromDays(31), "enterprise.kept");
        await AddEventAsync(null, TimeSpan.FromDays(91), "account.old");
        await AddEventAsync(null, TimeSpan.FromDays(8), "account.kept");
        await AddEventAsync("ws_purged", TimeSpan.FromDays(91), "purged.old");
        await AddEventAsync("ws_purged", TimeSpan.FromDays(8), "purged.kept");

        var deleted = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<PurgeExpiredAuditEvents>().ExecuteAsync());

        Assert.Equal(5, deleted);
        await using var db = App.CreateDbContext();
        var left = await db.Set<AuditEvent>().Where(e => e.TargetType == "test").Select(e => e.Action).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["account.kept", "enterprise.kept", "free.kept", "pro.kept", "purged.kept"], left.Order());
    }

    [Fact]
    public async Task TokenPurge_RemovesOnlyTokensThatCanNoLongerWork()
    {
        var user = await ControlApiSteps.CreateUserAsync(App);
        await ControlApiSteps.SessionTokenAsync(App, user);
        var lasting = await ControlApiSteps.PersonalTokenAsync(App, user, ApiScopes.Read);
        await ControlApiSteps.PersonalTokenAsync(App, user, ApiScopes.Read, TimeSpan.FromDays(7));
        var purge = () => WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<PurgeExpiredApiTokens>().ExecuteAsync());

        Assert.Equal(0, await purge());
        App.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await purge());
        App.Clock.Advance(TimeSpan.FromDays(36));
        Assert.Equal(1, await purge());

        await using var db = App.CreateDbContext();
        Assert.Equal([lasting.Token.Id], await db.Set<ApiToken>().Select(t => t.Id).ToListAsync(TestContext.Current.CancellationToken));
    }
}
