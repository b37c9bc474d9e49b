using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>Forwarding fidelity through the proxy role to a real upstream: methods, paths, queries, headers, request ids, key modes, large streamed bodies.</summary>
public sealed class ProxyForwardingTests(TestServers servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : []);

    [Fact]
    public async Task Methods_Paths_Queries_AndHeaders_PassBothWays_WithForwardedHeadersAndRequestIds()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();
        var appId = seeded.Application.Id;

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
        {
            using var request = ProxyHost.Request(method, appId, "users/usr_1/profile?a=1&b=x%20y&a=2", seeded.SecretKey);
            request.Headers.TryAddWithoutValidation("X-Custom", "custom value");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
            if (method != HttpMethod.Get && method != HttpMethod.Delete)
            {
                request.Content = new StringContent("{\"name\":\"Ada\"}", System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await host.Client.SendAsync(request, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            var echo = TestUpstream.Echo.Read(body);

            Assert.Equal((method.Method, "/v1/users/usr_1/profile", "?a=1&b=x%20y&a=2"), (echo.Method, echo.Path, echo.Query));
            Assert.Equal("custom value", echo.Header("X-Custom"));
            Assert.Equal("127.0.0.1", echo.Header("X-Forwarded-For"));
            Assert.Equal("http", echo.Header("X-Forwarded-Proto"));
            Assert.Equal(host.Client.BaseAddress!.Authority, echo.Header("X-Forwarded-Host"));
            Assert.Equal(new Uri(host.Upstream.Url).Authority, echo.Header("Host"));
            if (request.Content is not null)
            {
                Assert.Equal(14, echo.BodyBytes);
                Assert.Equal("application/json; charset=utf-8", echo.Header("Content-Type"));
            }

            var requestId = Single(response, "X-AuthSome-Request-ID");
            Assert.Matches("^req_[0-9a-f]{32}$", requestId);
            Assert.Equal(requestId, Single(response, "X-Request-ID"));
            Assert.Equal((requestId, requestId), (echo.Header("X-Request-ID"), echo.Header("X-AuthSome-Request-ID")));
            Assert.Equal(appId, Single(response, "X-AuthSome-App-ID"));
            // The instance's own X-AuthSome-Region is replaced by the proxy's; its other headers pass.
            Assert.Equal("eu-test-1", Single(response, "X-AuthSome-Region"));
            Assert.Equal("yes", Single(response, "X-Upstream"));
            Assert.Equal("10000", Single(response, "X-RateLimit-Limit"));
            Assert.True(int.Parse(Single(response, "X-RateLimit-Remaining"), System.Globalization.CultureInfo.InvariantCulture) < 10000);
            Assert.Equal("1", Single(response, "X-RateLimit-Reset"));
        }

        // A well-formed request id of the client is kept; a malformed one is replaced.
        using (var request = ProxyHost.Request(HttpMethod.Get, appId, "echo", seeded.SecretKey))
        {
            request.Headers.TryAddWithoutValidation("X-Request-ID", "client-req_42.a:b");
            using var response = await host.Client.SendAsync(request, Ct);
            var echo = TestUpstream.Echo.Read(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal("client-req_42.a:b", Single(response, "X-AuthSome-Request-ID"));
            Assert.Equal("client-req_42.a:b", echo.Header("X-AuthSome-Request-ID"));
        }

        using (var request = ProxyHost.Request(HttpMethod.Get, appId, "echo", seeded.SecretKey))
        {
            request.Headers.TryAddWithoutValidation("X-Request-ID", "bad id <script>");
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.StartsWith("req_", Single(response, "X-AuthSome-Request-ID"), StringComparison.Ordinal);
        }

        // Statuses of the instance pass unchanged (not replaced by the envelope).
        using (var request = ProxyHost.Request(HttpMethod.Get, appId, "missing?status=404", seeded.SecretKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("/v1/missing", TestUpstream.Echo.Read(await response.Content.ReadAsStringAsync(Ct)).Path);
        }
    }

    [Fact]
    public async Task TheKeyNeverReachesTheInstance_AndAnEndUsersAuthorizationDoesWhenTheKeyComesInItsOwnHeader()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();

        using (var request = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, "users/me", seeded.SecretKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            var echo = TestUpstream.Echo.Read(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(echo.Header("Authorization"));
            Assert.Null(echo.Header("X-AuthSome-Key"));
        }

        using (var request = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, "users/me", seeded.SecretKey, keyInOwnHeader: true))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer end-user-session-token");
            using var response = await host.Client.SendAsync(request, Ct);
            var echo = TestUpstream.Echo.Read(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Bearer end-user-session-token", echo.Header("Authorization"));
            Assert.Null(echo.Header("X-AuthSome-Key"));
            Assert.DoesNotContain(echo.Headers.Values, v => v.Contains(seeded.SecretKey, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task TenMegabytes_StreamBothWays_ChunkedAndWithALength_Intact()
    {
        const int size = 10 * 1024 * 1024;
        await using var host = await ProxyHost.StartAsync(servers, new Dictionary<string, string?> { ["Proxy:MaxRequestBodySize"] = $"{16 * 1024 * 1024}" });
        var seeded = await host.SeedAsync();
        var body = new byte[size];
        Random.Shared.NextBytes(body);
        var expected = Convert.ToHexStringLower(SHA256.HashData(body));

        foreach (var chunked in new[] { true, false })
        {
            using var request = ProxyHost.Request(HttpMethod.Post, seeded.Application.Id, "upload", seeded.SecretKey);
            request.Content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
            using var response = await host.Client.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            Assert.Equal(chunked, request.Headers.TransferEncodingChunked == true || request.Content.Headers.ContentLength is null);
            var echo = TestUpstream.Echo.Read(text);
            Assert.Equal((size, expected), (echo.BodyBytes, echo.BodySha256));
            Assert.Equal(chunked ? "chunked" : null, echo.Header("Transfer-Encoding"));
        }

        using (var request = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, $"download?bytes={size}", seeded.SecretKey))
        {
            using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.TransferEncodingChunked);
            Assert.Null(response.Content.Headers.ContentLength);
            await using var stream = await response.Content.ReadAsStreamAsync(Ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var expectedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, Ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }

            var generated = new byte[size];
            for (var i = 0; i < size; i++)
            {
                generated[i] = TestUpstream.ByteAt(i);
            }

            expectedHash.AppendData(generated);
            Assert.Equal(size, total);
            Assert.Equal(Convert.ToHexStringLower(expectedHash.GetHashAndReset()), Convert.ToHexStringLower(hash.GetHashAndReset()));
            expectedHash.Dispose();
        }
    }

    /// <summary>A body whose length the client does not know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }

    [Fact]
    public async Task ForwardedAndMethodOverrideHeaders_OfTheClient_NeverReachTheInstance()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();

        using var request = ProxyHost.Request(HttpMethod.Get, seeded.Application.Id, "users", seeded.SecretKey);
        var spoofed = new Dictionary<string, string>
        {
            ["Forwarded"] = "for=6.6.6.6;proto=https;host=evil.example",
            ["X-Real-IP"] = "6.6.6.6",
            ["X-HTTP-Method-Override"] = "DELETE",
            ["X-Method-Override"] = "DELETE",
            ["X-HTTP-Method"] = "DELETE",
            ["X-Original-URL"] = "/v1/admin/users",
            ["X-Rewrite-URL"] = "/v1/admin/users",
            ["X-Forwarded-For"] = "6.6.6.6",
            ["X-Forwarded-Host"] = "evil.example",
            ["X-Forwarded-Proto"] = "https",
            ["X-Forwarded-Port"] = "443",
            ["X-Forwarded-Prefix"] = "/admin",
            ["X-Forwarded-Server"] = "evil.example",
        };
        foreach (var (name, value) in spoofed)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("X-Custom", "kept");
        using var response = await host.Client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var echo = TestUpstream.Echo.Read(body);

        foreach (var name in spoofed.Keys.Where(n => n is not ("X-Forwarded-For" or "X-Forwarded-Host" or "X-Forwarded-Proto")))
        {
            Assert.True(echo.Header(name) is null, $"{name} reached the instance: {echo.Header(name)}");
        }

        // The three the proxy sets come from what it saw, never from the client.
        Assert.Equal("127.0.0.1", echo.Header("X-Forwarded-For"));
        Assert.Equal("http", echo.Header("X-Forwarded-Proto"));
        Assert.Equal(host.Client.BaseAddress!.Authority, echo.Header("X-Forwarded-Host"));
        Assert.Equal("kept", echo.Header("X-Custom"));
        Assert.Equal("GET", echo.Method);
    }

    internal static async Task<JsonElement> ErrorAsync(HttpResponseMessage response)
    {
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var error = json.GetProperty("error");
        Assert.Equal(Single(response, "X-AuthSome-Request-ID"), error.GetProperty("requestId").GetString());
        return error;
    }
}
