using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Changes;
using Portal.Core.Workspaces;
using Portal.Features.ControlApi;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.ControlApi;

/// <summary>A caller's plan is remembered per process, and forgotten in every process when a workspace's plan stops counting.</summary>
public sealed class CallerPlansTests(TestServers servers) : PortalTest(servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeletingAProWorkspace_ThroughOneProcess_DropsTheRememberedPlanInAnother()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        await using (var db = App.CreateDbContext())
        {
            (await db.Set<Workspace>().FindAsync([workspace.Id], Ct))!.Plan = WorkspacePlan.Pro;
            await db.SaveChangesAsync(Ct);
        }

        await using var other = PortalApp.SharingDatabaseWith(App);
        var plans = other.Services.GetRequiredService<CallerPlans>();
        Assert.Equal(WorkspacePlan.Pro, await plans.GetAsync(owner.Id, Ct));
        var changes = other.Services.GetRequiredService<ChangeChannel>();
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Registered after CallerPlans' listener: listeners run in order, so when this one hears it, the cache is clear.
        using var listening = changes.Subscribe(ChangeTopic.Plan, id =>
        {
            if (id == workspace.Id)
            {
                heard.TrySetResult();
            }
        });
        await changes.Listening.WaitAsync(Patience, Ct);

        var deleted = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteWorkspace>()
            .ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, null, Ct));
        Assert.True(deleted.Succeeded, deleted.Failure?.Message);
        await heard.Task.WaitAsync(Patience, Ct);

        Assert.Equal(WorkspacePlan.Free, await plans.GetAsync(owner.Id, Ct));
    }

    [Fact]
    public async Task ThePlanIsRemembered_UntilAPlanChangeIsAnnounced()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var plans = App.Services.GetRequiredService<CallerPlans>();
        Assert.Equal(WorkspacePlan.Free, await plans.GetAsync(owner.Id, Ct));

        var second = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        await using (var db = App.CreateDbContext())
        {
            (await db.Set<Workspace>().FindAsync([second.Id], Ct))!.Plan = WorkspacePlan.Enterprise;
            await db.SaveChangesAsync(Ct);
        }

        // Remembered: the change was not announced.
        Assert.Equal(WorkspacePlan.Free, await plans.GetAsync(owner.Id, Ct));
        var changes = App.Services.GetRequiredService<ChangeChannel>();
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = changes.Subscribe(ChangeTopic.Plan, id =>
        {
            if (id == second.Id)
            {
                heard.TrySetResult();
            }
        });
        await changes.Listening.WaitAsync(Patience, Ct);

        await changes.PublishAsync(ChangeTopic.Plan, second.Id);
        await heard.Task.WaitAsync(Patience, Ct);

        Assert.Equal(WorkspacePlan.Enterprise, await plans.GetAsync(owner.Id, Ct));
    }
}
