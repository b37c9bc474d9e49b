using k8s;
using Npgsql;
using Portal.Core.Provisioning;
using StackExchange.Redis;

namespace Portal.Benchmarks.Provisioning;

/// <summary>
/// Every tenant object that exists, by name, read from where it lives: PostgreSQL's catalogs (pg_database,
/// pg_roles), Redis's <c>ACL LIST</c> and the simulated cluster's namespaces.
/// </summary>
public sealed record TenantInventory(
    IReadOnlySet<string> Databases,
    IReadOnlySet<string> Roles,
    IReadOnlySet<string> RedisUsers,
    IReadOnlySet<string> Namespaces)
{
    private const string TenantPattern = @"authsome\_app\_%";

    public static async Task<TenantInventory> TakeAsync(NpgsqlDataSource postgres, IServer redis, IKubernetes cluster, CancellationToken ct)
    {
        var databases = await NamesAsync(postgres, "SELECT datname FROM pg_database WHERE datname LIKE $1", ct);
        var roles = await NamesAsync(postgres, "SELECT rolname FROM pg_roles WHERE rolname LIKE $1", ct);

        // ACL LIST lines read "user <name> on|off …".
        var acl = (RedisResult[])(await redis.ExecuteAsync("ACL", "LIST"))!;
        var users = acl.Select(line => ((string?)line ?? "").Split(' ')).Where(p => p.Length > 1 && p[0] == "user" && p[1].StartsWith("app-", StringComparison.Ordinal))
            .Select(p => p[1]).ToHashSet(StringComparer.Ordinal);

        var namespaces = (await cluster.CoreV1.ListNamespaceAsync(cancellationToken: ct)).Items
            .Select(n => n.Metadata.Name).Where(n => n.StartsWith("authsome-app-", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        return new TenantInventory(databases, roles, users, namespaces);
    }

    private static async Task<HashSet<string>> NamesAsync(NpgsqlDataSource postgres, string sql, CancellationToken ct)
    {
        await using var command = postgres.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = TenantPattern });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>What the applications' objects look like after a scenario, and what exists that belongs to none of them.</summary>
    public static OrphanReport Compare(TenantInventory before, TenantInventory after, IReadOnlyCollection<string> activeApplications, IReadOnlyCollection<string> otherApplications)
    {
        static IEnumerable<(string Kind, string Name)> Expected(string id) =>
        [
            ("database", TenantNames.Database(id)),
            ("role", TenantNames.Role(id)),
            ("redis user", TenantNames.RedisUser(id)),
            ("namespace", TenantNames.Namespace(id)),
        ];

        bool Exists(TenantInventory inventory, string kind, string name) => kind switch
        {
            "database" => inventory.Databases.Contains(name),
            "role" => inventory.Roles.Contains(name),
            "redis user" => inventory.RedisUsers.Contains(name),
            _ => inventory.Namespaces.Contains(name),
        };

        var missing = activeApplications.SelectMany(Expected).Where(e => !Exists(after, e.Kind, e.Name)).ToList();
        var leftByUnfinished = otherApplications.SelectMany(Expected).Where(e => Exists(after, e.Kind, e.Name)).ToList();
        var owned = activeApplications.Concat(otherApplications).SelectMany(Expected).ToHashSet();
        var orphans = new List<(string Kind, string Name)>();
        foreach (var (kind, now, was) in new[]
        {
            ("database", after.Databases, before.Databases),
            ("role", after.Roles, before.Roles),
            ("redis user", after.RedisUsers, before.RedisUsers),
            ("namespace", after.Namespaces, before.Namespaces),
        })
        {
            orphans.AddRange(now.Except(was).Select(name => (kind, name)).Where(o => !owned.Contains(o)));
        }

        return new OrphanReport(activeApplications.Count, missing, leftByUnfinished, orphans);
    }
}

/// <summary>
/// <paramref name="Missing"/>: objects an active application lacks. <paramref name="LeftByUnfinished"/>: objects of
/// applications that did not end active (a retry resumes them; not orphans). <paramref name="Orphans"/>: objects new
/// since the scenario began that belong to no application of it.
/// </summary>
public sealed record OrphanReport(
    int ActiveApplications,
    IReadOnlyList<(string Kind, string Name)> Missing,
    IReadOnlyList<(string Kind, string Name)> LeftByUnfinished,
    IReadOnlyList<(string Kind, string Name)> Orphans);
