using System.Net;

namespace Portal.Features.Proxy;

/// <summary>
/// The one HTTP client the proxy forwards with, for every application: a pooled <see cref="SocketsHttpHandler"/> set up
/// as YARP's direct-forwarding guidance says (no proxy, redirects, decompression, cookies or activity headers).
/// </summary>
public static class ProxyHttpClient
{
    public static HttpMessageInvoker Create(ProxyHostOptions options) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = options.PooledConnectionLifetime,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = int.MaxValue,
            EnableMultipleHttp2Connections = true,
        }, disposeHandler: true);
}
