using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

/// <summary>
/// Limits checked by counting and then inserting hold under parallel requests: 20 at once through the control API give
/// exactly the limit, the rest are refused in the envelope, and none fails with a 500.
/// </summary>
public sealed class PlanLimitRaceTests(TestServers servers) : PortalTest(servers)
{
    private const int Parallel = 20;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
        ["Applications:FreePlanMaxApplications"] = "3",
        ["Workspaces:MaxOwnedWorkspaces"] = "3",
        ["ControlApi:RateLimits:Free:PerMinute"] = "1000",
        ["ControlApi:RateLimits:Free:PerDay"] = "100000",
    };

    private static async Task<HttpResponseMessage[]> AllAtOnceAsync(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync(TestContext.Current.CancellationToken);
            return await send(i);
        }).ToList();
        start.Release(count);
        return await Task.WhenAll(requests);
    }

    private static async Task AssertRefusedAsync(IEnumerable<HttpResponseMessage> responses, string code)
    {
        foreach (var response in responses)
        {
            await ErrorAsync(response, 403, code);
        }
    }

    [Fact]
    public async Task ParallelCreates_OfAFreeWorkspace_GiveExactlyTheLimit()
    {
        var owner = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, owner));
        var workspaceId = await CreateWorkspaceAsync(App, owner);

        var responses = await AllAtOnceAsync(Parallel, i => PostAsync(client, $"/control/v1/workspaces/{workspaceId}/applications",
            new { name = $"Parallel {i}", slug = $"parallel-{i}", environment = "staging", region = "us-east-1" }));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        await AssertRefusedAsync(responses.Where(r => r.StatusCode != HttpStatusCode.Accepted), "plan_limit");
        await using var db = App.CreateDbContext();
        Assert.Equal(3, await db.Set<Application>().CountAsync(a => a.WorkspaceId == workspaceId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ParallelRestores_AndCreates_OfAFreeWorkspace_GiveExactlyTheLimit()
    {
        var owner = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, owner));
        var workspaceId = await CreateWorkspaceAsync(App, owner);
        var deleted = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/applications",
                new { name = $"Deleted {i}", slug = $"deleted-{i}", environment = "staging", region = "us-east-1" });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            var id = (string)(await BodyAsync(created))["application"]!["id"]!;
            Assert.Equal(HttpStatusCode.Accepted, (await DeleteAsync(client, $"/control/v1/applications/{id}")).StatusCode);
            deleted.Add(id);
        }

        // Three restores among seventeen creates: whichever come first, three applications are live at the end.
        var responses = await AllAtOnceAsync(Parallel, i => i % 7 == 0 && i / 7 < deleted.Count
            ? PostAsync(client, $"/control/v1/applications/{deleted[i / 7]}/restore", null)
            : PostAsync(client, $"/control/v1/workspaces/{workspaceId}/applications",
                new { name = $"Parallel {i}", slug = $"parallel-{i}", environment = "staging", region = "us-east-1" }));

        Assert.Equal(3, responses.Count(r => r.IsSuccessStatusCode));
        await AssertRefusedAsync(responses.Where(r => !r.IsSuccessStatusCode), "plan_limit");
        await using var db = App.CreateDbContext();
        Assert.Equal(3, await db.Set<Application>().CountAsync(
            a => a.WorkspaceId == workspaceId && a.Status != ApplicationStatus.Deleting && a.Status != ApplicationStatus.Deleted, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ParallelWorkspaceCreates_OfOneAccount_GiveExactlyTheMostItMayOwn()
    {
        var user = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, user));

        var responses = await AllAtOnceAsync(Parallel, i => PostAsync(client, "/control/v1/workspaces", new { name = $"Parallel {i}", slug = $"parallel-{i}" }));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        await AssertRefusedAsync(responses.Where(r => r.StatusCode != HttpStatusCode.Created), "forbidden");
        await using var db = App.CreateDbContext();
        Assert.Equal(3, await db.Set<Member>().CountAsync(m => m.UserId == user.Id && m.Role == WorkspaceRole.Owner, TestContext.Current.CancellationToken));
    }
}
