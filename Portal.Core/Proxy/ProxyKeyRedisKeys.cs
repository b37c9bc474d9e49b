namespace Portal.Core.Proxy;

/// <summary>
/// Where a key's shared record and its version live in Redis: <c>{prefix}key:{&lt;hex&gt;}</c> and
/// <c>{prefix}keyver:{&lt;hex&gt;}</c>. Both carry the key's hash as their hash tag, so that the write-back script,
/// which declares both, runs within one Redis Cluster slot.
/// </summary>
public static class ProxyKeyRedisKeys
{
    public static string Record(string prefix, string hex) => string.Concat(prefix, "key:{", hex, "}");

    public static string Version(string prefix, string hex) => string.Concat(prefix, "keyver:{", hex, "}");
}
