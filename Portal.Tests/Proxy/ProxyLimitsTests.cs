using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>The proxy's limits and the instance's failures, in the envelope: 413 (announced and streamed), 502, 504.</summary>
public sealed class ProxyLimitsTests(TestServers servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string applicationId)
    {
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        var error = await ProxyForwardingTests.ErrorAsync(response);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(applicationId, Assert.Single(response.Headers.GetValues("X-AuthSome-App-ID")));
        Assert.Equal("eu-test-1", Assert.Single(response.Headers.GetValues("X-AuthSome-Region")));
        Assert.Single(response.Headers.GetValues("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task ABodyOverTheLimit_IsPayloadTooLarge_WhetherAnnouncedOrStreamed()
    {
        await using var host = await ProxyHost.StartAsync(servers, new Dictionary<string, string?> { ["Proxy:MaxRequestBodySize"] = "100000" });
        var seeded = await host.SeedAsync();
        var appId = seeded.Application.Id;

        using (var request = ProxyHost.Request(HttpMethod.Post, appId, "upload", seeded.SecretKey))
        {
            request.Content = new ByteArrayContent(new byte[100_000]);
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(100_000, TestUpstream.Echo.Read(await response.Content.ReadAsStringAsync(Ct)).BodyBytes);
        }

        using (var request = ProxyHost.Request(HttpMethod.Post, appId, "upload", seeded.SecretKey))
        {
            request.Content = new ByteArrayContent(new byte[100_001]);
            using var response = await host.Client.SendAsync(request, Ct);
            await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large", appId);
        }

        using (var request = ProxyHost.Request(HttpMethod.Post, appId, "upload", seeded.SecretKey))
        {
            request.Content = new StreamContent(new ChunkedBody(300_000));
            using var response = await host.Client.SendAsync(request, Ct);
            await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large", appId);
        }

        // A streamed body under the limit passes.
        using (var request = ProxyHost.Request(HttpMethod.Post, appId, "upload", seeded.SecretKey))
        {
            request.Content = new StreamContent(new ChunkedBody(90_000));
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(90_000, TestUpstream.Echo.Read(await response.Content.ReadAsStringAsync(Ct)).BodyBytes);
        }
    }

    /// <summary>On a host running only the proxy role, as in production.</summary>
    [Fact]
    public async Task AnInstanceNotListening_IsBadGateway_OneTooSlow_IsGatewayTimeout()
    {
        await using var host = await ProxyHost.StartAsync(servers, new Dictionary<string, string?> { ["Proxy:UpstreamTimeout"] = "00:00:00.500" }, proxyOnly: true);
        var unreachable = await host.SeedAsync(internalUrl: "http://127.0.0.1:9");
        var slow = await host.SeedAsync();

        using (var request = ProxyHost.Request(HttpMethod.Get, unreachable.Application.Id, "users", unreachable.SecretKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            await AssertErrorAsync(response, HttpStatusCode.BadGateway, "bad_gateway", unreachable.Application.Id);
        }

        using (var request = ProxyHost.Request(HttpMethod.Get, slow.Application.Id, "slow?ms=5000", slow.SecretKey))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var response = await host.Client.SendAsync(request, Ct);
            await AssertErrorAsync(response, HttpStatusCode.GatewayTimeout, "gateway_timeout", slow.Application.Id);
            Assert.InRange(watch.Elapsed.TotalSeconds, 0.4, 4);
        }

        // Quick answers of the same instance are unaffected.
        using (var request = ProxyHost.Request(HttpMethod.Get, slow.Application.Id, "slow?ms=50", slow.SecretKey))
        {
            using var response = await host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>A generated body of unknown length (sent chunked), in 8 KB reads.</summary>
    private sealed class ChunkedBody(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(Math.Min(count, 8192), length - _position);
            Array.Fill(buffer, (byte)'x', offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
