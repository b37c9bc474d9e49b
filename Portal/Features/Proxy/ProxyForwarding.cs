using Microsoft.Extensions.Options;

namespace Portal.Features.Proxy;

/// <summary>The proxy's one shared HTTP client (<see cref="ProxyHttpClient"/>), disposed with the host.</summary>
public sealed class ProxyForwarding(IOptions<ProxyHostOptions> options) : IDisposable
{
    public HttpMessageInvoker Client { get; } = ProxyHttpClient.Create(options.Value);

    public void Dispose() => Client.Dispose();
}
