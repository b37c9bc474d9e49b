using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Simulators.Kubernetes;

namespace Portal.Benchmarks.Provisioning;

/// <summary>
/// A plain-HTTP reverse proxy in front of one simulated cluster that fails a random share of the API requests, each
/// independently: a third 429 with <c>Retry-After: 1</c> and a third 503 with <c>Retry-After: 1</c> (both answered
/// without reaching the cluster), a third 500 answered after the cluster served the request (a write took effect but
/// its answer was lost, the case idempotent steps must survive). The simulator's own fault switches fail the next N
/// matching requests rather than a share of them, hence this proxy.
/// </summary>
public sealed class FaultInjectingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentDictionary<int, int> _injected = new();
    private long _requests;

    private FaultInjectingProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    public Uri Address { get; private set; } = null!;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Injected failures by HTTP status.</summary>
    public IReadOnlyDictionary<int, int> Injected => _injected;

    public static async Task<FaultInjectingProxy> StartAsync(SimulatedCluster cluster, double failureRate)
    {
        var upstream = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustedBy(cluster.ClientConfiguration().SslCaCerts) },
        })
        { BaseAddress = cluster.BaseUri, Timeout = Timeout.InfiniteTimeSpan };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new FaultInjectingProxy(app, upstream);
        app.Run(context => proxy.ForwardAsync(context, failureRate));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.Address = new Uri(address);
        return proxy;
    }

    /// <summary>A client configuration for the portal's KubernetesClusters: the cluster's token, through this proxy.</summary>
    public KubernetesClientConfiguration ClientConfiguration(SimulatedCluster cluster) =>
        new() { Host = Address.ToString(), AccessToken = cluster.Token };

    private async Task ForwardAsync(HttpContext context, double failureRate)
    {
        Interlocked.Increment(ref _requests);
        var fault = 0;
        if (Random.Shared.NextDouble() < failureRate)
        {
            fault = Random.Shared.Next(3) switch { 0 => 429, 1 => 503, _ => 500 };
        }

        if (fault is 429 or 503)
        {
            _injected.AddOrUpdate(fault, 1, (_, n) => n + 1);
            context.Response.Headers.RetryAfter = "1";
            await WriteStatusAsync(context, fault, fault == 429 ? "TooManyRequests" : "ServiceUnavailable",
                fault == 429 ? "Too many requests, please try again later." : "the server is currently unable to handle the request");
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        if (fault == 500)
        {
            // Served, but the answer is lost.
            await response.Content.CopyToAsync(Stream.Null, context.RequestAborted);
            _injected.AddOrUpdate(fault, 1, (_, n) => n + 1);
            await WriteStatusAsync(context, 500, "InternalError", "Internal error occurred: simulated fault");
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        }.ToJsonString());
    }

    // The simulator's certificate, checked against its own CA (as the portal's client does), not waved through.
    private static RemoteCertificateValidationCallback TrustedBy(X509Certificate2Collection? authorities) => (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (authorities is null || certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    /// <summary>For the report: 429 × n, 500 × n, 503 × n.</summary>
    public string DescribeInjected() =>
        _injected.IsEmpty ? "none" : string.Join(", ", _injected.OrderBy(p => p.Key).Select(p => $"{p.Key} × {p.Value}"));
}
