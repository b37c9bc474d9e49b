using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Proxy;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Proxy;

/// <summary>Every check of the proxy, in order, with its status, error code and headers.</summary>
public sealed class ProxyRefusalTests(TestServers servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? Assert.Single(values) : null;

    private static async Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Error)> RefusedAsync(
        ProxyHost host, HttpRequestMessage request, HttpStatusCode status, string code)
    {
        var response = await host.Client.SendAsync(request, Ct);
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        var error = await ProxyForwardingTests.ErrorAsync(response);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Null(Header(response, "X-Upstream"));
        return (response, error);
    }

    [Fact]
    public async Task KeyRefusals_Missing_Malformed_Unknown_Revoked_Expired_OtherApplication_AreUnauthorized()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();
        var other = await host.SeedAsync();
        var appId = seeded.Application.Id;
        var revoked = await host.CreateKeyAsync(seeded.Owner, appId, ApiKeyType.Secret, ["*"]);
        Assert.True((await WorkspaceSteps.RunAsync(host.App, sp => sp.GetRequiredService<ManageApiKeys>()
            .RevokeAsync(WorkspaceSteps.ActorFor(seeded.Owner), appId, revoked.Key.Id, Ct))).Succeeded);
        var expiring = await host.CreateKeyAsync(seeded.Owner, appId, ApiKeyType.Secret, ["*"], host.App.Clock.GetUtcNow().AddMinutes(5));
        host.App.Clock.Advance(TimeSpan.FromMinutes(6));

        var cases = new (string? Key, string Message)[]
        {
            (null, "Send the application's key as 'Authorization: Bearer <key>' or in the X-AuthSome-Key header."),
            ("not-a-key", "The key is not valid."),
            (ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production), "The key is not valid."),
            (revoked.Value, "The key has been revoked."),
            (expiring.Value, "The key has expired."),
            (other.SecretKey, "The key belongs to another application."),
        };
        foreach (var (key, message) in cases)
        {
            using var request = ProxyHost.Request(HttpMethod.Get, appId, "users", key);
            var (response, error) = await RefusedAsync(host, request, HttpStatusCode.Unauthorized, "unauthorized");
            Assert.Equal(message, error.GetProperty("message").GetString());
            Assert.Equal(appId, Header(response, "X-AuthSome-App-ID"));
            Assert.Null(Header(response, "X-RateLimit-Limit"));
            response.Dispose();
        }

        // The key in its own header is checked the same way.
        using (var request = ProxyHost.Request(HttpMethod.Get, appId, "users", revoked.Value, keyInOwnHeader: true))
        {
            (await RefusedAsync(host, request, HttpStatusCode.Unauthorized, "unauthorized")).Response.Dispose();
        }

        // Not an application id at all.
        using (var request = ProxyHost.Request(HttpMethod.Get, "bad%20id", "users", seeded.SecretKey))
        {
            var (response, _) = await RefusedAsync(host, request, HttpStatusCode.NotFound, "not_found");
            Assert.Null(Header(response, "X-AuthSome-App-ID"));
            response.Dispose();
        }
    }

    [Theory]
    [InlineData(ApplicationStatus.Provisioning, false, "provisioning")]
    [InlineData(ApplicationStatus.Suspended, false, "suspended")]
    [InlineData(ApplicationStatus.Deleting, false, "deleting")]
    [InlineData(ApplicationStatus.Active, true, "deleting")]
    public async Task AnApplicationNotServing_IsServiceUnavailable_WithTheReason(ApplicationStatus status, bool deleted, string reason)
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync(status, deleted: deleted);

        using var request = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, "users", seeded.SecretKey);
        var (response, error) = await RefusedAsync(host, request, HttpStatusCode.ServiceUnavailable, "service_unavailable");

        Assert.Equal(reason, error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("eu-test-1", Header(response, "X-AuthSome-Region"));
        Assert.Equal(seeded.Application.Id, Header(response, "X-AuthSome-App-ID"));
        response.Dispose();
    }

    [Fact]
    public async Task AClientOutsideTheIpAllowlist_IsForbidden_InsideIsServed()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();
        var appId = seeded.Application.Id;
        var verifier = host.App.Services.GetRequiredService<ProxyKeyVerifier>();
        var verified = await verifier.VerifyAsync(seeded.SecretKey, appId, Ct);
        Assert.True(verified.Succeeded);

        // The allowlist as the verifier hands it over (the settings page and its column come with another branch).
        verifier.Remember(seeded.SecretKey, verified.Key!, verified.Application! with { IpAllowlist = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("2001:db8::/32")] });
        using (var request = ProxyHost.Request(HttpMethod.Get, appId, "users", seeded.SecretKey))
        {
            var (response, error) = await RefusedAsync(host, request, HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal("ip_not_allowed", error.GetProperty("details").GetProperty("reason").GetString());
            Assert.Equal("eu-test-1", Header(response, "X-AuthSome-Region"));
            response.Dispose();
        }

        verifier.Remember(seeded.SecretKey, verified.Key!, verified.Application! with { IpAllowlist = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("127.0.0.0/8")] });
        using (var request = ProxyHost.Request(HttpMethod.Get, appId, "users", seeded.SecretKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task PublicKeys_ReachOnlyPublicRoutes_SecretKeys_TheirScopesRoutes()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();
        var appId = seeded.Application.Id;
        var usersRead = (await host.CreateKeyAsync(seeded.Owner, appId, ApiKeyType.Secret, ["users:read"])).Value;
        var verify = (await host.CreateKeyAsync(seeded.Owner, appId, ApiKeyType.Secret, ["tokens:verify", "sessions:read"])).Value;

        var cases = new (string Key, HttpMethod Method, string Path, string? Refusal)[]
        {
            (seeded.PublicKey, HttpMethod.Post, "auth/sign-up", null),
            (seeded.PublicKey, HttpMethod.Post, "auth/sign-in?user=usr_1", null),
            (seeded.PublicKey, HttpMethod.Post, "auth/refresh", null),
            (seeded.PublicKey, HttpMethod.Get, "auth/session", null),
            (seeded.PublicKey, HttpMethod.Get, ".well-known/jwks.json", null),
            (seeded.PublicKey, HttpMethod.Get, "users", "public_key"),
            (seeded.PublicKey, HttpMethod.Post, "tokens/verify", "public_key"),
            (usersRead, HttpMethod.Get, "users", null),
            (usersRead, HttpMethod.Get, "users/usr_1/sessions", null),
            (usersRead, HttpMethod.Post, "auth/sign-in", null),
            (usersRead, HttpMethod.Post, "users", "scope"),
            (usersRead, HttpMethod.Delete, "users/usr_1", "scope"),
            (usersRead, HttpMethod.Get, "organizations", "scope"),
            (usersRead, HttpMethod.Get, "admin/settings", "scope"),
            (verify, HttpMethod.Post, "tokens/verify", null),
            (verify, HttpMethod.Get, "tokens/verify", "scope"),
            (verify, HttpMethod.Get, "sessions/ses_1", null),
            (verify, HttpMethod.Delete, "sessions/ses_1", "scope"),
            (seeded.SecretKey, HttpMethod.Delete, "admin/anything/at/all", null),
        };
        foreach (var (key, method, path, refusal) in cases)
        {
            using var request = ProxyHost.Request(method, appId, path, key);
            if (refusal is null)
            {
                using var response = await host.Client.SendAsync(request, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {response.StatusCode}");
            }
            else
            {
                var (response, error) = await RefusedAsync(host, request, HttpStatusCode.Forbidden, "forbidden");
                Assert.True(refusal == error.GetProperty("details").GetProperty("reason").GetString(), $"{method} {path}");
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task ALowRateLimit_Answers429_WithRetryAfter_AndTheRateLimitHeadersOnEveryResponse()
    {
        await using var host = await ProxyHost.StartAsync(servers, new Dictionary<string, string?>
        {
            ["Proxy:Free:Requests"] = "3",
            ["Proxy:Free:Period"] = "00:00:30",
        });
        var seeded = await host.SeedAsync();

        for (var i = 0; i < 3; i++)
        {
            using var request = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, "users", seeded.SecretKey);
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(("3", $"{2 - i}"), (Header(response, "X-RateLimit-Limit"), Header(response, "X-RateLimit-Remaining")));
            Assert.InRange(int.Parse(Header(response, "X-RateLimit-Reset")!, System.Globalization.CultureInfo.InvariantCulture), 1, 30);
        }

        using (var request = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, "users", seeded.SecretKey))
        {
            var (response, error) = await RefusedAsync(host, request, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
            var retryAfter = int.Parse(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 10);
            Assert.Equal(retryAfter, error.GetProperty("retryAfter").GetInt32());
            Assert.Equal(("3", "0"), (Header(response, "X-RateLimit-Limit"), Header(response, "X-RateLimit-Remaining")));
            Assert.Equal(seeded.Application.Id, Header(response, "X-AuthSome-App-ID"));
            response.Dispose();
        }

        // Each key has its own bucket.
        using (var request = ProxyHost.Request(HttpMethod.Post, seeded.Application.Id, "auth/sign-in", seeded.PublicKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task TheMonthlyQuota_IsTheWorkspaces_AcrossKeys_ThenQuotaExceeded()
    {
        await using var host = await ProxyHost.StartAsync(servers, new Dictionary<string, string?> { ["Proxy:Free:MonthlyRequests"] = "4" });
        var seeded = await host.SeedAsync();
        var otherWorkspace = await host.SeedAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var request = ProxyHost.Request(HttpMethod.Post, seeded.Application.Id, "auth/sign-in", i % 2 == 0 ? seeded.SecretKey : seeded.PublicKey);
            using var response = await host.Client.SendAsync(request, Ct);
            statuses.Add(response.StatusCode);
            if (i == 5)
            {
                var error = await ProxyForwardingTests.ErrorAsync(response);
                Assert.Equal("quota_exceeded", error.GetProperty("code").GetString());
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var limiter = host.App.Services.GetRequiredService<ProxyRateLimiter>();
        var redis = host.App.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.Equal(4, (long)await redis.StringGetAsync(limiter.QuotaKey(seeded.Workspace.Id)));
        Assert.InRange((await redis.KeyTimeToLiveAsync(limiter.QuotaKey(seeded.Workspace.Id)))!.Value.TotalDays, 39, 40);

        using (var request = ProxyHost.Request(HttpMethod.Get, otherWorkspace.Application.Id, "users", otherWorkspace.SecretKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>A request whose path goes out exactly as written: no unescaping, no dot-segment removal, no backslash conversion.</summary>
    private static HttpRequestMessage RawRequest(ProxyHost host, string applicationId, string path, string key)
    {
        var target = new Uri($"{host.Client.BaseAddress!.GetLeftPart(UriPartial.Authority)}/v1/{applicationId}/{path}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        return request;
    }

    [Theory]
    [InlineData(".well-known/..%2F..%2Fadmin%2Fusers")]
    [InlineData(".well-known/..%2f..%2fadmin%2fusers")]
    [InlineData(".well-known/%2E%2E/%2E%2E/admin/users")]
    [InlineData(".well-known/%2e%2e/admin/users")]
    [InlineData(".well-known/.%2E/admin/users")]
    [InlineData(".well-known/..%5Cadmin%5Cusers")]
    [InlineData(".well-known/..%5cadmin")]
    [InlineData(".well-known/..%252F..%252Fadmin%252Fusers")]
    [InlineData(".well-known/%252E%252E/admin")]
    [InlineData(".well-known/../../admin/users")]
    [InlineData(".well-known/./jwks.json")]
    [InlineData(".well-known/..")]
    [InlineData(".well-known\\..\\admin\\users")]
    public async Task EncodedSlashes_DotSegments_AndBackslashes_Are400_BeforeTheRouteCheck_AndNeverReachTheInstance(string path)
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();

        using var request = RawRequest(host, seeded.Application.Id, path, seeded.PublicKey);
        using var response = await host.Client.SendAsync(request, Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        var error = await ProxyForwardingTests.ErrorAsync(response);
        Assert.Equal("invalid_request", error.GetProperty("code").GetString());
        Assert.Null(Header(response, "X-Upstream"));
        Assert.Empty(host.Upstream.Targets);

        // The same key on a plain public route still passes: only the trick is refused.
        using var plain = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, ".well-known/jwks.json", seeded.PublicKey);
        using var passed = await host.Client.SendAsync(plain, Ct);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal("/v1/.well-known/jwks.json", Assert.Single(host.Upstream.Targets));
    }

    [Fact]
    public async Task ADotSegment_CannotReachAnotherApplication()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();
        var other = await host.SeedAsync();

        foreach (var path in new[] { $"../{other.Application.Id}/users", $"%2E%2E/{other.Application.Id}/users", $"..%2F{other.Application.Id}%2Fusers" })
        {
            using var request = RawRequest(host, seeded.Application.Id, path, seeded.SecretKey);
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        Assert.Empty(host.Upstream.Targets);
    }
}
