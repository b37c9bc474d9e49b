using System.Net;
using System.Net.Http.Headers;
using Portal.Core.ApiTokens;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

/// <summary>Random well-formed <c>asp_</c> tokens: each address gets its minute of database lookups, then 429 without a query.</summary>
public sealed class ControlApiTokenFloodTests(TestServers servers) : PortalTest(servers)
{
    private const int Limit = 5;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["FailedAuthentication:PerMinutePerAddress"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<HttpStatusCode> GetWorkspacesAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/control/v1/workspaces");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var error = await ErrorAsync(response, 429, "rate_limit_exceeded");
            var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
            Assert.Equal(retryAfter, (int)error["retryAfter"]!);
        }

        return response.StatusCode;
    }

    [Fact]
    public async Task PastTheLimit_RandomTokensGet429_WithoutADatabaseQuery_AnotherAddressAndAGoodTokenAreNotAffected()
    {
        var address = App.StartKestrel();
        var user = await CreateUserAsync(App);
        var good = (await PersonalTokenAsync(App, user, ApiScopes.Read)).Secret;
        using var client = LocalAddressClient.Create(address, "127.0.0.1");
        Assert.Equal(HttpStatusCode.OK, await GetWorkspacesAsync(client, good));
        using var counter = new DatabaseCommandCounter(App.DatabaseConnectionString, "ApiTokens");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * Limit; i++)
        {
            statuses.Add(await GetWorkspacesAsync(client, ApiTokenRules.NewSecret(ApiTokenKind.Personal)));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, Limit), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2 * Limit)], statuses);
        Assert.Equal(Limit, counter.Count);

        // The user's token, which authenticated here before, keeps working from the flooded address.
        Assert.Equal(HttpStatusCode.OK, await GetWorkspacesAsync(client, good));

        // Another address has its own budget.
        using var other = LocalAddressClient.Create(address, "127.0.0.2");
        var before = counter.Count;
        Assert.Equal(HttpStatusCode.Unauthorized, await GetWorkspacesAsync(other, ApiTokenRules.NewSecret(ApiTokenKind.Personal)));
        Assert.Equal(before + 1, counter.Count);
    }

    [Fact]
    public async Task AConcurrentFlood_ReachesTheDatabaseAtMostTheLimit()
    {
        var address = App.StartKestrel();
        using var counter = new DatabaseCommandCounter(App.DatabaseConnectionString, "ApiTokens");
        using var flooder = LocalAddressClient.Create(address, "127.0.0.3");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => GetWorkspacesAsync(flooder, ApiTokenRules.NewSecret(ApiTokenKind.Personal))));

        Assert.Equal(Limit, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(40 - Limit, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(Limit, counter.Count);
    }
}
