using Portal.Core.RateLimiting;

namespace Portal.Core.Proxy;

/// <summary>What a key's load found: the key, none (unknown), or nothing because the client's address is throttled.</summary>
internal sealed record KeyLoad(ProxyKey? Key, LookupAdmission? Throttled = null);
