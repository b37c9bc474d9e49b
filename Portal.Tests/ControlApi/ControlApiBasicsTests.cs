using System.Net;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

public sealed class ControlApiBasicsTests(TestServers servers) : PortalTest(servers)
{
    [Fact]
    public async Task CreateThenGetAndList_Workspace()
    {
        var user = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, user));

        var created = await PostAsync(client, "/control/v1/workspaces", new { name = "Acme Corp" });
        var body = await BodyAsync(created);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (string)body["id"]!;
        Assert.Equal($"/control/v1/workspaces/{id}", created.Headers.Location?.ToString());
        Assert.Equal("acme-corp", (string?)body["slug"]);
        Assert.Equal("owner", (string?)body["role"]);
        Assert.Equal("free", (string?)body["plan"]);
        Assert.Equal("active", (string?)body["status"]);

        var got = await BodyAsync(await GetAsync(client, $"/control/v1/workspaces/{id}"));
        Assert.Equal("Acme Corp", (string?)got["name"]);

        var list = await GetAsync(client, "/control/v1/workspaces?page=1&pageSize=10");
        var page = await BodyAsync(list);
        Assert.Equal(1, (int)page["total"]!);
        Assert.Equal(10, (int)page["pageSize"]!);
        Assert.Equal(id, (string?)page["data"]![0]!["id"]);
        Assert.Equal("100", list.Headers.GetValues("X-RateLimit-Limit").Single());
    }

    [Fact]
    public async Task NoToken_Is401InTheEnvelope()
    {
        using var client = Client(App);
        var response = await GetAsync(client, "/control/v1/workspaces");
        await ErrorAsync(response, 401, "unauthorized");
    }
}
