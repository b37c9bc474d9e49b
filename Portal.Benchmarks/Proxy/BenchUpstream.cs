using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// `proxy-upstream --port N`: the benchmark's upstream, 1 KB (<see cref="ResponseBytes"/>) for any method and path,
/// on loopback, with no middleware at all (the cheapest answer Kestrel gives), so that the figures are the proxy's.
/// </summary>
internal static class BenchUpstream
{
    public const int ResponseBytes = 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var port = BenchArgs.Int(args, "--port", 0);
        var payload = new byte[ResponseBytes];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.Run(context =>
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/octet-stream";
            response.ContentLength = ResponseBytes;
            return response.Body.WriteAsync(payload).AsTask();
        });
        await app.RunAsync();
        return 0;
    }
}
