using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// The bare host's one shared HTTP client. Stand-in until the proxy host is merged: then <see cref="Create"/> calls the
/// proxy's own invoker factory (Portal/Features/Proxy), so that both sides of the ratio use the same client.
/// </summary>
internal static class BenchForwarderClient
{
    public static HttpMessageInvoker Create() => new(new SocketsHttpHandler
    {
        // YARP's documented settings for IHttpForwarder's client.
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    });
}
