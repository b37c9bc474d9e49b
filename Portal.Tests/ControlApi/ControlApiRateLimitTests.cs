using Portal.Core.ApiTokens;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

public sealed class ControlApiRateLimitTests(TestServers servers) : PortalTest(servers)
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["ControlApi:RateLimits:Free:PerMinute"] = "3",
        ["ControlApi:RateLimits:Free:PerDay"] = "1000",
        ["ControlApi:RateLimits:Pro:PerMinute"] = "5",
        ["ControlApi:RateLimits:Pro:PerDay"] = "1000",
        ["ControlApi:LoginAttemptsPerMinutePerIp"] = "2",
    };

    [Fact]
    public async Task FreePlan_LimitReached_Answers429WithRetryAfter_AndHeadersCountDown()
    {
        var user = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, user));

        var remaining = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var ok = await GetAsync(client, "/control/v1/workspaces");
            Assert.Equal(200, (int)ok.StatusCode);
            Assert.Equal("3", ok.Headers.GetValues("X-RateLimit-Limit").Single());
            var reset = int.Parse(ok.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(reset, 1, 60);
            remaining.Add(ok.Headers.GetValues("X-RateLimit-Remaining").Single());
        }

        Assert.Equal(["2", "1", "0"], remaining);
        var refused = await GetAsync(client, "/control/v1/workspaces");
        var error = await ErrorAsync(refused, 429, "rate_limit_exceeded");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(retryAfter, (int)error["retryAfter"]!);
        Assert.Equal("0", refused.Headers.GetValues("X-RateLimit-Remaining").Single());
    }

    [Fact]
    public async Task TokensOfOneUser_ShareOneBudget_AnotherUserHasHisOwn()
    {
        var user = await CreateUserAsync(App);
        using var session = Client(App, await SessionTokenAsync(App, user));
        using var first = Client(App, (await PersonalTokenAsync(App, user, ApiScopes.Read)).Secret);
        using var second = Client(App, (await PersonalTokenAsync(App, user, ApiScopes.Read)).Secret);

        Assert.Equal(200, (int)(await GetAsync(first, "/control/v1/workspaces")).StatusCode);
        Assert.Equal(200, (int)(await GetAsync(second, "/control/v1/workspaces")).StatusCode);
        var last = await GetAsync(session, "/control/v1/workspaces");
        Assert.Equal(200, (int)last.StatusCode);
        Assert.Equal("0", last.Headers.GetValues("X-RateLimit-Remaining").Single());

        // The plan's 3 a minute are used up, whichever token asks now (a fresh one too).
        await ErrorAsync(await GetAsync(first, "/control/v1/workspaces"), 429, "rate_limit_exceeded");
        await ErrorAsync(await GetAsync(second, "/control/v1/workspaces"), 429, "rate_limit_exceeded");
        using var third = Client(App, (await PersonalTokenAsync(App, user, ApiScopes.Read)).Secret);
        await ErrorAsync(await GetAsync(third, "/control/v1/workspaces"), 429, "rate_limit_exceeded");

        var other = await CreateUserAsync(App);
        using var otherClient = Client(App, (await PersonalTokenAsync(App, other, ApiScopes.Read)).Secret);
        Assert.Equal(200, (int)(await GetAsync(otherClient, "/control/v1/workspaces")).StatusCode);
    }

    [Fact]
    public async Task MemberOfAProWorkspace_GetsTheProLimit()
    {
        var user = await CreateUserAsync(App);
        await CreateWorkspaceAsync(App, user, WorkspacePlan.Pro);
        using var client = Client(App, await SessionTokenAsync(App, user));

        var response = await GetAsync(client, "/control/v1/workspaces");

        Assert.Equal("5", response.Headers.GetValues("X-RateLimit-Limit").Single());
    }

    [Fact]
    public async Task Login_IsLimitedPerIp()
    {
        using var client = Client(App);
        for (var i = 0; i < 2; i++)
        {
            await ErrorAsync(await PostAsync(client, "/control/v1/auth/login", new { email = "nobody@example.com", password = "wrong password here" }), 401, "unauthorized");
        }

        await ErrorAsync(await PostAsync(client, "/control/v1/auth/login", new { email = "nobody@example.com", password = "wrong password here" }), 429, "rate_limit_exceeded");
    }
}
