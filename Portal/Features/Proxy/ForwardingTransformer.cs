using Yarp.ReverseProxy.Forwarder;

namespace Portal.Features.Proxy;

/// <summary>
/// How a request <c>/v1/{appId}/{path}</c> becomes the instance's <c>{prefix}/v1/{path}{query}</c>: every header is copied
/// except the proxy key (<c>Authorization</c> when it carried the key, <c>X-AuthSome-Key</c> always), headers that
/// claim another client, method or path (<c>Forwarded</c>, <c>X-Real-IP</c>, <c>X-HTTP-Method-Override</c>, …) and the client's
/// own <c>X-Forwarded-*</c>, replaced by what this proxy saw; the request id (<see cref="HttpContext.TraceIdentifier"/>)
/// goes in <c>X-Request-ID</c> and <c>X-AuthSome-Request-ID</c>. Holds no per-request state, so one instance serves all
/// (also the benchmark's bare forwarding, without our checks).
/// </summary>
public class ForwardingTransformer : HttpTransformer
{
    public static readonly ForwardingTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        var headers = proxyRequest.Headers;
        if (!ProxyHeaders.KeyInOwnHeader(request))
        {
            headers.Authorization = null;
        }

        headers.Remove(ProxyHeaders.Key);
        headers.Host = null;

        RemoveSpoofable(headers);
        if (httpContext.Connection.RemoteIpAddress is { } client)
        {
            headers.TryAddWithoutValidation(ProxyHeaders.ForwardedFor, (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString());
        }

        headers.TryAddWithoutValidation(ProxyHeaders.ForwardedProto, request.Scheme);
        if (request.Host.HasValue)
        {
            headers.TryAddWithoutValidation(ProxyHeaders.ForwardedHost, request.Host.Value);
        }

        headers.Remove(ProxyHeaders.PlainRequestId);
        headers.Remove(ProxyHeaders.RequestId);
        headers.TryAddWithoutValidation(ProxyHeaders.PlainRequestId, httpContext.TraceIdentifier);
        headers.TryAddWithoutValidation(ProxyHeaders.RequestId, httpContext.TraceIdentifier);

        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, UpstreamPath(request.Path), request.QueryString);
    }

    /// <summary>
    /// Headers a client could use to pass for another address, scheme, host, method or path at the instance (or at a
    /// framework in front of it that honours them): removed, and every <c>X-Forwarded-*</c> the client sent, before
    /// this proxy sets its own from what it saw.
    /// </summary>
    private static readonly string[] Spoofable =
    [
        "Forwarded", "X-Real-IP", "X-Client-IP", "True-Client-IP", "X-HTTP-Method-Override", "X-Method-Override", "X-HTTP-Method",
        "X-Original-URL", "X-Rewrite-URL", "X-Original-Method",
    ];

    private static void RemoveSpoofable(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        foreach (var name in Spoofable)
        {
            headers.Remove(name);
        }

        List<string>? forwarded = null;
        foreach (var header in headers)
        {
            if (header.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
            {
                (forwarded ??= []).Add(header.Key);
            }
        }

        foreach (var name in forwarded ?? [])
        {
            headers.Remove(name);
        }
    }

    /// <summary><c>/v1/{appId}/rest</c> → <c>/v1/rest</c> (the instance's API also lives under /v1).</summary>
    public static PathString UpstreamPath(PathString path)
    {
        var value = path.Value ?? "";
        var rest = value.Length > 4 ? value.IndexOf('/', 4) : -1;
        return rest < 0 ? new PathString("/v1") : new PathString(string.Concat("/v1", value.AsSpan(rest)));
    }
}
