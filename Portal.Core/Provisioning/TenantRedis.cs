using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Portal.Core.Provisioning;

/// <summary>The tenant Redis of each region: one ACL user per application, limited to its key prefix.</summary>
public sealed class TenantRedis(IOptions<ProvisioningOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ConnectionMultiplexer>> _connections = new(StringComparer.Ordinal);

    public ConfigurationOptions AdminConfiguration(string region) => ConfigurationOptions.Parse(options.Value.Region(region).RedisAdmin!);

    /// <summary>
    /// What an AuthSome server may run, and nothing else: data commands on keys (strings, counters, hashes, sets,
    /// sorted sets, lists, streams, HyperLogLogs, bitmaps), expiry, transactions, Lua scripts (their keys and every
    /// <c>redis.call</c> are checked against the user's key pattern), pub/sub and connection basics. An allow-list
    /// because Redis's categories are too coarse: <c>SCAN</c>, <c>KEYS</c>, <c>RANDOMKEY</c>, <c>DBSIZE</c>,
    /// <c>INFO</c> and <c>PUBSUB CHANNELS</c> ignore key and channel patterns (they show other tenants' names), and
    /// <c>SCRIPT FLUSH/KILL</c>, <c>FUNCTION</c>, <c>FLUSHALL</c>, <c>CLIENT KILL</c>, <c>CONFIG</c> act on the whole
    /// server. <c>SELECT</c> is refused: a tenant stays in database 0. Redis 7.0 syntax (<c>command|subcommand</c>).
    /// </summary>
    public static readonly IReadOnlyList<string> AllowedCommands =
    [
        // Connection: what clients send on connect and for health checks (AUTH is always allowed).
        "ping", "echo", "hello", "quit", "reset", "command", "client|setname", "client|getname", "client|id", "client|info",
        // Keys (each command's keys are checked against the pattern).
        "exists", "type", "del", "unlink", "touch", "rename", "renamenx", "copy",
        "expire", "pexpire", "expireat", "pexpireat", "expiretime", "pexpiretime", "ttl", "pttl", "persist",
        // Strings and counters.
        "get", "set", "setnx", "setex", "psetex", "getset", "getdel", "getex", "mget", "mset", "msetnx", "append", "strlen",
        "getrange", "setrange", "substr", "incr", "incrby", "incrbyfloat", "decr", "decrby",
        // Hashes.
        "hset", "hsetnx", "hmset", "hget", "hmget", "hgetall", "hdel", "hexists", "hincrby", "hincrbyfloat", "hkeys", "hvals",
        "hlen", "hstrlen", "hrandfield", "hscan",
        // Sets.
        "sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop", "srandmember", "smove", "sinter", "sinterstore",
        "sintercard", "sunion", "sunionstore", "sdiff", "sdiffstore", "sscan",
        // Sorted sets.
        "zadd", "zrem", "zcard", "zcount", "zlexcount", "zscore", "zmscore", "zincrby", "zrange", "zrangestore", "zrangebyscore",
        "zrevrangebyscore", "zrangebylex", "zrevrangebylex", "zrevrange", "zrank", "zrevrank", "zremrangebyscore", "zremrangebyrank",
        "zremrangebylex", "zpopmin", "zpopmax", "bzpopmin", "bzpopmax", "zmpop", "bzmpop", "zrandmember", "zunion", "zunionstore",
        "zinter", "zinterstore", "zintercard", "zdiff", "zdiffstore", "zscan",
        // Lists.
        "lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset", "lrem", "ltrim", "linsert", "lpos",
        "lmove", "blmove", "lmpop", "blmpop", "blpop", "brpop", "rpoplpush", "brpoplpush",
        // Streams.
        "xadd", "xlen", "xrange", "xrevrange", "xread", "xreadgroup", "xgroup", "xack", "xclaim", "xautoclaim", "xpending", "xtrim",
        "xdel", "xinfo",
        // HyperLogLogs and bitmaps.
        "pfadd", "pfcount", "pfmerge", "setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro",
        // Transactions.
        "multi", "exec", "discard", "watch", "unwatch",
        // Lua scripts: running and loading (the script cache is shared, but loading only adds); never FLUSH or KILL.
        "eval", "evalsha", "eval_ro", "evalsha_ro", "script|load", "script|exists",
        // Pub/sub, on the channels of the pattern only (PUBSUB CHANNELS would list everyone's).
        "publish", "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
    ];

    /// <summary>
    /// The whole of the user's rules: <c>reset</c> first (off, no password, no keys, channels or commands), then
    /// what it gets. Every rule is given, so the same command repairs a user someone changed.
    /// </summary>
    public static IReadOnlyList<object> Rules(string user, string keyPrefix, string password)
    {
        var pattern = EscapeGlob(keyPrefix) + "*";
        var rules = new List<object> { "SETUSER", user, "reset", "on", ">" + password, "resetkeys", "~" + pattern, "resetchannels", "&" + pattern, "-@all" };
        rules.AddRange(AllowedCommands.Select(c => "+" + c));
        return rules;
    }

    /// <summary>
    /// Ensures the user: one <c>ACL SETUSER … reset …</c> command sets every rule at once, so running it again is
    /// harmless and repairs a user someone changed (its password stays the one given).
    /// </summary>
    public async Task EnsureUserAsync(string region, string user, string keyPrefix, string password, CancellationToken cancellationToken)
    {
        var server = Connection(region);
        await server.GetDatabase().ExecuteAsync("ACL", [.. Rules(user, keyPrefix, password)]).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The user as Redis describes it (<c>ACL GETUSER</c>: flags, password hashes, commands, keys, channels), flattened
    /// into one string that changes whenever any rule does; null when there is no such user.
    /// </summary>
    public async Task<string?> DescribeUserAsync(string region, string user, CancellationToken cancellationToken)
    {
        var result = await Connection(region).GetDatabase().ExecuteAsync("ACL", "GETUSER", user).WaitAsync(cancellationToken);
        return result.IsNull ? null : Flatten(result);
    }

    private static string Flatten(RedisResult result) => result.Resp2Type switch
    {
        ResultType.Array => "[" + string.Join(" ", ((RedisResult[])result!).Select(Flatten)) + "]",
        _ => result.IsNull ? "nil" : (string?)result ?? "",
    };

    /// <summary>Removes the user (its open connections are closed by Redis); a missing user is fine.</summary>
    public async Task DeleteUserAsync(string region, string user, CancellationToken cancellationToken) =>
        await Connection(region).GetDatabase().ExecuteAsync("ACL", "DELUSER", user).WaitAsync(cancellationToken);

    /// <summary>Every key under the prefix, in every database of the server: SCAN in pages, UNLINK in batches. Returns how many went.</summary>
    public async Task<long> DeleteKeysAsync(string region, string keyPrefix, CancellationToken cancellationToken)
    {
        const int batch = 500;
        var connection = Connection(region);
        var pattern = EscapeGlob(keyPrefix) + "*";
        long removed = 0;
        foreach (var server in connection.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var databases = server.DatabaseCount;
            for (var index = 0; index < databases; index++)
            {
                var database = connection.GetDatabase(index);
                var keys = new List<RedisKey>(batch);
                await foreach (var key in server.KeysAsync(index, pattern, pageSize: batch).WithCancellation(cancellationToken))
                {
                    keys.Add(key);
                    if (keys.Count == batch)
                    {
                        removed += await UnlinkAsync(database, keys);
                    }
                }

                removed += await UnlinkAsync(database, keys);
            }
        }

        return removed;
    }

    private static async Task<long> UnlinkAsync(IDatabase database, List<RedisKey> keys)
    {
        if (keys.Count == 0)
        {
            return 0;
        }

        var removed = (long)await database.ExecuteAsync("UNLINK", keys.Cast<object>().ToArray());
        keys.Clear();
        return removed;
    }

    /// <summary>A literal prefix for a SCAN MATCH pattern.</summary>
    public static string EscapeGlob(string value)
    {
        var escaped = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private ConnectionMultiplexer Connection(string region) =>
        _connections.GetOrAdd(region, r => new Lazy<ConnectionMultiplexer>(() =>
        {
            var configuration = AdminConfiguration(r);
            configuration.AbortOnConnectFail = false;
            configuration.AllowAdmin = true;
            return ConnectionMultiplexer.Connect(configuration);
        })).Value;

    public void Dispose()
    {
        foreach (var connection in _connections.Values.Where(c => c.IsValueCreated))
        {
            connection.Value.Dispose();
        }
    }
}
