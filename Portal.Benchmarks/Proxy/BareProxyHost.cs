using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// `proxy-bare --port N --upstream URL`: the denominator of the throughput ratio. YARP's <see cref="IHttpForwarder"/>
/// with the proxy's shared client forwards <c>/v1/{appId}/{**path}</c> to <c>URL/v1/{path}</c> (X-Forwarded-* set), with
/// no key check, rate limit, header or metering of ours.
/// </summary>
internal static class BareProxyHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = BenchArgs.Int(args, "--port", 0);
        var upstream = BenchArgs.Value(args, "--upstream") ?? throw new ArgumentException("--upstream URL is required");

        var builder = WebApplication.CreateSlimBuilder();
        // The portal runs with Microsoft.AspNetCore at Warning; nothing is logged per request on either side.
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddHttpForwarder();
        await using var app = builder.Build();

        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        using var invoker = BenchForwarderClient.Create();
        var transformer = new PathTransformer();
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(30) };
        var prefix = upstream.TrimEnd('/');
        app.UseRouting();
        app.Map("/v1/{appId}/{**path}", async context =>
        {
            var error = await forwarder.SendAsync(context, prefix, invoker, config, transformer);
            if (error != ForwarderError.None && !context.Response.HasStarted)
            {
                context.Response.StatusCode = 502;
            }
        });
        await app.RunAsync();
        return 0;
    }

    /// <summary>YARP's default request copy and X-Forwarded-*, then <c>{prefix}/v1/{path}{query}</c>.</summary>
    private sealed class PathTransformer : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var path = httpContext.GetRouteValue("path") as string;
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString("/v1/" + path), httpContext.Request.QueryString);
            var headers = proxyRequest.Headers;
            headers.TryAddWithoutValidation("X-Forwarded-For", httpContext.Connection.RemoteIpAddress?.ToString());
            headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
            headers.TryAddWithoutValidation("X-Forwarded-Host", httpContext.Request.Host.Value);
        }
    }
}
