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
