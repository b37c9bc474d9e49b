using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Workspaces;

public sealed class WorkspaceLifecycleTests(TestServers servers) : PortalTest(servers)
{
    private async Task<List<AuditEvent>> EventsAsync(string action)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<AuditEvent>().Where(e => e.Action == action).ToListAsync();
    }

    [Theory]
    [InlineData("ab", "slug")]
    [InlineData("Has-Capitals", "slug")]
    [InlineData("-leading", "slug")]
    [InlineData("double--dash", "slug")]
    [InlineData("admin", "slug")]
    [InlineData("with space", "slug")]
    public async Task Create_WithAnInvalidSlug_IsRefusedNamingTheField(string slug, string field)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var created = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<CreateWorkspace>().ExecuteAsync(WorkspaceSteps.ActorFor(owner), "Acme", slug));

        Assert.Equal(FailureCode.InvalidRequest, created.Failure?.Code);
        Assert.Equal(field, created.Failure?.Field);
        await using var db = App.CreateDbContext();
        Assert.False(await db.Set<Workspace>().AnyAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("Acme Corp.", "acme-corp")]
    [InlineData("  Café Zürich  ", "cafe-zurich")]
    [InlineData("Admin", "admin-team")]
    [InlineData("AB", "ab-ws")]
    public void SuggestSlug_MakesAValidSlugFromTheName(string name, string expected)
    {
        Assert.Equal(expected, WorkspaceRules.SuggestSlug(name));
        Assert.Null(WorkspaceRules.ValidateSlug(expected));
    }

    [Fact]
    public async Task Create_MakesTheCreatorOwner_OnTheFreePlan_AndATakenSlugIsAConflict()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner, "acme");
        var other = await WorkspaceSteps.CreateUserAsync(App);

        var again = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<CreateWorkspace>().ExecuteAsync(WorkspaceSteps.ActorFor(other), "Acme 2", "acme"));

        Assert.Equal(FailureCode.Conflict, again.Failure?.Code);
        var summary = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<WorkspaceQueries>().GetAsync(owner.Id, workspace.Id));
        Assert.Equal((WorkspaceRole.Owner, WorkspacePlan.Free, 1), (summary!.Role, summary.Plan, summary.MembersCount));
        var created = Assert.Single(await EventsAsync("workspace.created"));
        Assert.Equal(("null", "\"acme\""), WorkspaceSteps.ChangeOf(created, "slug"));
    }

    [Fact]
    public async Task Update_RecordsOnlyTheChangedFields_AndValidatesMetadata()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var update = (WorkspaceChange change) => WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<UpdateWorkspace>().ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, change));

        var tooLong = await update(new WorkspaceChange(Metadata: new Dictionary<string, string> { ["team"] = new string('x', 501) }));
        Assert.Equal("metadata.team", tooLong.Failure?.Field);

        Assert.True((await update(new WorkspaceChange("Renamed", new Dictionary<string, string> { ["team"] = "identity" }))).Succeeded);
        Assert.True((await update(new WorkspaceChange("Renamed"))).Succeeded);

        var updated = Assert.Single(await EventsAsync("workspace.updated"));
        Assert.Equal(("\"" + workspace.Name + "\"", "\"Renamed\""), WorkspaceSteps.ChangeOf(updated, "name"));
        Assert.Equal(("{}", "{\"team\":\"identity\"}"), WorkspaceSteps.ChangeOf(updated, "metadata"));
        Assert.DoesNotContain("requireTwoFactor", updated.Changes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_HidesTheWorkspace_RestorableByTheOwnerFor30Days_ThenPurged()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var kept = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var actor = WorkspaceSteps.ActorFor(owner);

        var wrongSlug = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteWorkspace>().ExecuteAsync(actor, workspace.Id, "nope"));
        Assert.Equal("confirmSlug", wrongSlug.Failure?.Field);
        Assert.True((await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteWorkspace>().ExecuteAsync(actor, workspace.Id, workspace.Slug))).Succeeded);

        var queries = (IServiceProvider sp) => sp.GetRequiredService<WorkspaceQueries>();
        Assert.Equal([kept.Id], (await WorkspaceSteps.RunAsync(App, sp => queries(sp).ListAsync(owner.Id))).Data.Select(w => w.Id));
        Assert.Equal([workspace.Id], (await WorkspaceSteps.RunAsync(App, sp => queries(sp).RecentlyDeletedAsync(owner.Id))).Select(w => w.Id));

        Assert.True((await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteWorkspace>().RestoreAsync(actor, workspace.Id))).Succeeded);
        Assert.Equal(2, (await WorkspaceSteps.RunAsync(App, sp => queries(sp).ListAsync(owner.Id))).Total);

        await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteWorkspace>().ExecuteAsync(actor, workspace.Id, null));
        App.Clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<PurgeDeletedWorkspaces>().ExecuteAsync()));
        App.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(FailureCode.NotFound, (await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteWorkspace>().RestoreAsync(actor, workspace.Id))).Failure?.Code);
        Assert.Equal(1, await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<PurgeDeletedWorkspaces>().ExecuteAsync()));

        await using var db = App.CreateDbContext();
        Assert.False(await db.Set<Workspace>().AnyAsync(w => w.Id == workspace.Id, TestContext.Current.CancellationToken));
        Assert.Equal(2, (await EventsAsync("workspace.deleted")).Count);
        Assert.Single(await EventsAsync("workspace.restored"));
        Assert.Single(await EventsAsync("workspace.purged"));
    }

    [Fact]
    public async Task Delete_ByAnAdmin_IsForbidden()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var admin = await WorkspaceSteps.CreateUserAsync(App);
        await WorkspaceSteps.AddMemberAsync(App, workspace, admin, WorkspaceRole.Admin);

        var deleted = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<DeleteWorkspace>().ExecuteAsync(WorkspaceSteps.ActorFor(admin), workspace.Id, workspace.Slug));

        Assert.Equal(FailureCode.Forbidden, deleted.Failure?.Code);
        Assert.Empty(await EventsAsync("workspace.deleted"));
    }
}
