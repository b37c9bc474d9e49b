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
    /// Ensures the user: one <c>ACL SETUSER … reset …</c> command sets every rule at once, so running it again is
    /// harmless and repairs a user someone changed. Keys and channels only under the prefix; no admin or dangerous commands.
    /// </summary>
    public async Task EnsureUserAsync(string region, string user, string keyPrefix, string password, CancellationToken cancellationToken)
    {
        var server = Connection(region);
        await server.GetDatabase().ExecuteAsync("ACL",
            "SETUSER", user, "reset", "on", ">" + password, "~" + keyPrefix + "*", "resetchannels", "&" + keyPrefix + "*",
            "+@all", "-@admin", "-@dangerous").WaitAsync(cancellationToken);
    }

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

    public async Task<bool> UserExistsAsync(string region, string user, CancellationToken cancellationToken)
    {
        var result = await Connection(region).GetDatabase().ExecuteAsync("ACL", "GETUSER", user).WaitAsync(cancellationToken);
        return !result.IsNull;
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
