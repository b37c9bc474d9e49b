using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Portal.Core.RateLimiting;

/// <summary>
/// Limits the database lookups that random, well-formed credentials cause, per client address (IPv4, or the IPv6 /64
/// a client normally holds whole), shared by every replica through Redis: a lookup takes a slot of the address's
/// minute before it runs (so concurrent floods are counted too, and the database sees at most the limit), and a
/// lookup that found the credential gives its slot back, so that only unknown credentials use the budget. Known
/// credentials answered from the caches never come here, so a good key from a throttled address keeps working.
/// When Redis is away, each replica counts in a bounded table of its own (<see cref="LocalLimiterTable{TState}"/>).
/// One mechanism for the proxy's keys and the control API's tokens, each with its own realm.
/// </summary>
public sealed partial class FailedAuthenticationLimiter(
    IConnectionMultiplexer redis, IOptions<FailedAuthenticationOptions> options, TimeProvider clock, ILogger<FailedAuthenticationLimiter> logger)
{
    public const string ProxyRealm = "proxy";
    public const string ControlApiRealm = "control-api";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly long WindowMs = (long)Window.TotalMilliseconds;

    // KEYS[1] the address's counter; ARGV[1] the limit, ARGV[2] the window in ms. Returns {allowed, ms left}.
    private const string AdmitScript = """
        local c = tonumber(redis.call('GET', KEYS[1]) or '0')
        if c >= tonumber(ARGV[1]) then return {0, redis.call('PTTL', KEYS[1])} end
        c = redis.call('INCR', KEYS[1])
        if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return {1, redis.call('PTTL', KEYS[1])}
        """;

    // KEYS[1] the address's counter: a slot given back; a counter that expired meanwhile is not left at -1 forever.
    private const string ReleaseScript = """
        if redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private readonly FailedAuthenticationOptions _options = options.Value;
    private readonly LocalLimiterTable<LocalFixedWindow> _local = new(options.Value.LocalCapacity, clock);

    /// <summary>Addresses this replica counts on its own (Redis away), for tests.</summary>
    internal int LocalAddresses => _local.Count;

    /// <summary>Takes a slot of <paramref name="client"/>'s minute for one database lookup, or refuses with when to retry.</summary>
    public async ValueTask<LookupAdmission> AdmitAsync(string realm, IPAddress? client)
    {
        var partition = Partition(realm, client);
        if (redis.IsConnected)
        {
            try
            {
                var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
                    AdmitScript, [RedisKeyOf(partition)], [_options.PerMinutePerAddress, WindowMs]))!;
                var left = (long)result[1];
                return new LookupAdmission((long)result[0] == 1, TimeSpan.FromMilliseconds(left > 0 ? left : WindowMs));
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                LogFallback(logger, e.GetType().Name);
            }
        }

        var (allowed, _, reset) = _local.GetOrAdd(partition, NewWindow).TryAcquire(_options.PerMinutePerAddress);
        return new LookupAdmission(allowed, reset);
    }

    /// <summary>The lookup found the credential: its slot goes back (fire and forget; a lost release only tightens the limit).</summary>
    public void Release(string realm, IPAddress? client)
    {
        var partition = Partition(realm, client);
        if (!redis.IsConnected)
        {
            _local.GetOrAdd(partition, NewWindow).Release();
            return;
        }

        try
        {
            _ = redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [RedisKeyOf(partition)], flags: CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogFallback(logger, e.GetType().Name);
        }
    }

    private LocalFixedWindow NewWindow(string partition) => new(Window, clock);

    /// <summary>One key per realm and address, hash-tagged by itself (one key per script call: any slot will do).</summary>
    private RedisKey RedisKeyOf(string partition) => _options.RedisKeyPrefix + "{" + partition + "}";

    /// <summary>The address whose budget a client uses: IPv4 as is (also IPv4-mapped IPv6), IPv6 by its /64.</summary>
    internal static string Partition(string realm, IPAddress? client)
    {
        if (client is null)
        {
            return realm + ":unknown";
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        if (client.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> bytes = stackalloc byte[16];
            client.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return string.Create(CultureInfo.InvariantCulture, $"{realm}:{new IPAddress(bytes)}/64");
        }

        return realm + ":" + client;
    }

    [LoggerMessage(LogLevel.Warning, "Failed authentications counted on this replica only: Redis did not answer ({Error})")]
    private static partial void LogFallback(ILogger logger, string error);
}
