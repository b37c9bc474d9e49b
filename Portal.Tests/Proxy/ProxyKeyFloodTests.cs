using System.Net;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>Random well-formed keys: each address gets its minute of database lookups, then 429 without a query.</summary>
public sealed class ProxyKeyFloodTests(TestServers servers)
{
    private const int Limit = 5;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string RandomKey() => ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production);

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string applicationId, string key)
    {
        using var request = ProxyHost.Request(HttpMethod.Get, applicationId, "users", key);
        using var response = await client.SendAsync(request, Ct);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var error = await ProxyForwardingTests.ErrorAsync(response);
            Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
            var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
        }

        return response.StatusCode;
    }

    [Fact]
    public async Task PastTheLimit_RandomKeysGet429_WithoutADatabaseQuery_AnotherAddressAndAGoodKeyAreNotAffected()
    {
        await using var host = await ProxyHost.StartAsync(servers, new Dictionary<string, string?>
        {
            ["FailedAuthentication:PerMinutePerAddress"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var seeded = await host.SeedAsync();
        var appId = seeded.Application.Id;
        using var counter = new DatabaseCommandCounter(host.App.DatabaseConnectionString, "ApiKeys");
        Assert.Equal(HttpStatusCode.OK, await SendAsync(host.Client, appId, seeded.SecretKey));
        // A good key's lookup gives its slot back: it uses none of the budget.
        Assert.Equal(1, counter.Count);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * Limit; i++)
        {
            statuses.Add(await SendAsync(host.Client, appId, RandomKey()));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, Limit), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2 * Limit)], statuses);
        Assert.Equal(1 + Limit, counter.Count);

        // The good key, known to the caches, still works from the throttled address.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(host.Client, appId, seeded.SecretKey));
        Assert.Equal(1 + Limit, counter.Count);

        // Another address has its own budget.
        using var other = LocalAddressClient.Create(host.Client.BaseAddress!, "127.0.0.2");
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(other, appId, RandomKey()));
        Assert.Equal(2 + Limit, counter.Count);
    }

    [Fact]
    public async Task AConcurrentFlood_ReachesTheDatabaseAtMostTheLimit()
    {
        await using var host = await ProxyHost.StartAsync(servers, new Dictionary<string, string?>
        {
            ["FailedAuthentication:PerMinutePerAddress"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var seeded = await host.SeedAsync();
        using var counter = new DatabaseCommandCounter(host.App.DatabaseConnectionString, "ApiKeys");
        using var flooder = LocalAddressClient.Create(host.Client.BaseAddress!, "127.0.0.3");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => SendAsync(flooder, seeded.Application.Id, RandomKey())));

        Assert.Equal(Limit, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(60 - Limit, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(Limit, counter.Count);
    }
}
