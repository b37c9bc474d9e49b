using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Features.Proxy;
using Yarp.ReverseProxy.Forwarder;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// `proxy-bare --port N --upstream URL`: the denominator of the throughput ratio. The portal proxy's own pieces, YARP's
/// <see cref="IHttpForwarder"/>, its shared client (<see cref="ProxyHttpClient"/>), its request transform
/// (<see cref="ForwardingTransformer"/>: <c>/v1/{appId}/{path}</c> → <c>URL/v1/{path}</c>, X-Forwarded-*, request id)
/// and the same <c>/v1</c> branch in front of Kestrel with its defaults, but none of our checks, headers or metering.
/// </summary>
internal static class BareProxyHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = BenchArgs.Int(args, "--port", 0);
        var upstream = BenchArgs.Value(args, "--upstream") ?? throw new ArgumentException("--upstream URL is required");

        var builder = WebApplication.CreateSlimBuilder();
        // The portal runs with logging at Warning in the benchmark; nothing is logged per request on either side.
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddHttpForwarder();
        await using var app = builder.Build();

        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var options = app.Configuration.GetSection(ProxyHostOptions.Section).Get<ProxyHostOptions>() ?? new ProxyHostOptions();
        using var client = ProxyHttpClient.Create(options);
        var config = new ForwarderRequestConfig { ActivityTimeout = options.UpstreamTimeout };
        var prefix = upstream.TrimEnd('/');
        app.MapWhen(context => ProxyRequestHandler.IsProxyPath(context.Request.Path), branch => branch.Run(async context =>
        {
            var error = await forwarder.SendAsync(context, prefix, client, config, ForwardingTransformer.Instance);
            if (error != ForwarderError.None && !context.Response.HasStarted)
            {
                context.Response.StatusCode = 502;
            }
        }));
        await app.RunAsync();
        return 0;
    }
}
