using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Portal.Core.Changes;
using StackExchange.Redis;

namespace Portal.Core.Usage;

/// <summary>
/// Moves closed Redis minute buckets into the usage tables with an exactly-once effect:
/// <list type="number">
/// <item>a script atomically renames every bucket of a closed minute to a unique claim key (<c>bucket#claimId</c>)
/// and lists it in the claimed set, so later increments for that minute (a writer catching up after an outage) start
/// a new bucket instead of changing the claimed one;</item>
/// <item>each claim is added to the minute, hour and day rows in one PostgreSQL transaction that also records the
/// claim's key: a claim already recorded is never added again;</item>
/// <item>the claim key is deleted from Redis only after that commit.</item>
/// </list>
/// A crash anywhere leaves either an unclaimed bucket, a claim not yet committed (added by the next run) or a
/// committed claim still in Redis (skipped and deleted by the next run). Also: key last-used times reach
/// <c>ApiKeys.LastUsedAt</c> (the greater time wins, so repeating is harmless), MAU estimates are copied, old rows go.
/// </summary>
public sealed partial class UsageRollup(
    IConnectionMultiplexer redis, NpgsqlDataSource database, TimeProvider clock, IOptions<MeteringOptions> options, ChangeChannel changes,
    ILogger<UsageRollup> logger)
{
    private readonly MeteringKeys _keys = new(options.Value.RedisKeyPrefix);

    /// <summary>For tests: called at each step (<c>claimed</c>, <c>committed:{claim}</c>); an exception thrown here stands for a crash.</summary>
    internal Action<string>? Step { get; set; }

    public async Task<UsageRollupResult> RunAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var now = clock.GetUtcNow();
        var currentMinute = now.ToUnixTimeSeconds() / 60;
        var claimId = Guid.NewGuid().ToString("N");
        var claimedNow = (long)await db.ScriptEvaluateAsync(ClaimScript, null,
            [_keys.OpenSet, _keys.ClaimedSet, currentMinute, claimId]);
        Step?.Invoke("claimed");

        // Also the claims of a run that stopped half way.
        var applied = 0;
        var skipped = 0;
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in await db.SetMembersAsync(_keys.ClaimedSet))
        {
            var claimKey = member.ToString();
            if (await ApplyClaimAsync(db, claimKey, cancellationToken))
            {
                applied++;
                if (_keys.TryParseClaimed(claimKey, out var applicationId, out _))
                {
                    changed.Add(applicationId);
                }
            }
            else
            {
                skipped++;
            }

            Step?.Invoke("committed:" + claimKey);
            var done = db.CreateTransaction();
            _ = done.SetRemoveAsync(_keys.ClaimedSet, claimKey);
            _ = done.KeyDeleteAsync(claimKey);
            await done.ExecuteAsync();
        }

        // Open metrics and usage pages of these applications reload.
        changes.Publish(ChangeTopic.Usage, changed);
        var keys = await CopyLastUsedAsync(db, cancellationToken);
        var mau = await CopyMonthlyActiveUsersAsync(db, now, cancellationToken);
        await PurgeAsync(now, cancellationToken);
        LogRolledUp(logger, claimedNow, applied, skipped, keys, mau);
        return new UsageRollupResult(claimedNow, applied, skipped, keys);
    }

    private async Task<bool> ApplyClaimAsync(IDatabase db, string claimKey, CancellationToken cancellationToken)
    {
        if (!_keys.TryParseClaimed(claimKey, out var applicationId, out var unixMinute))
        {
            return false;
        }

        var fields = await db.HashGetAllAsync(claimKey);
        var (status, bytesIn, bytesOut, latency) = UsageBucket.Read(fields);

        var minute = DateTimeOffset.FromUnixTimeSeconds(unixMinute * 60);
        var hour = new DateTimeOffset(minute.Year, minute.Month, minute.Day, minute.Hour, 0, 0, TimeSpan.Zero);
        var day = new DateTimeOffset(minute.Year, minute.Month, minute.Day, 0, 0, 0, TimeSpan.Zero);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var claim = new NpgsqlCommand(
            """INSERT INTO "UsageRollupClaims" ("Id", "AppliedAt") VALUES ($1, $2) ON CONFLICT DO NOTHING""", connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = claimKey });
            claim.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                // Committed by an earlier run that stopped before deleting the claim from Redis.
                return false;
            }
        }

        if (fields.Length > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var (table, start) in new[] { ("UsageMinutes", minute), ("UsageHours", hour), ("UsageDays", day) })
            {
                var command = new NpgsqlBatchCommand(UpsertSql(table));
                command.Parameters.Add(new NpgsqlParameter { Value = applicationId });
                command.Parameters.Add(new NpgsqlParameter { Value = start });
                foreach (var count in status)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = count });
                }

                command.Parameters.Add(new NpgsqlParameter { Value = bytesIn });
                command.Parameters.Add(new NpgsqlParameter { Value = bytesOut });
                command.Parameters.Add(new NpgsqlParameter { Value = latency, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static string UpsertSql(string table) => $"""
        INSERT INTO "{table}" AS t ("ApplicationId", "Start", "Requests1xx", "Requests2xx", "Requests3xx", "Requests4xx", "Requests5xx", "BytesIn", "BytesOut", "Latency")
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT ("ApplicationId", "Start") DO UPDATE SET
          "Requests1xx" = t."Requests1xx" + EXCLUDED."Requests1xx",
          "Requests2xx" = t."Requests2xx" + EXCLUDED."Requests2xx",
          "Requests3xx" = t."Requests3xx" + EXCLUDED."Requests3xx",
          "Requests4xx" = t."Requests4xx" + EXCLUDED."Requests4xx",
          "Requests5xx" = t."Requests5xx" + EXCLUDED."Requests5xx",
          "BytesIn" = t."BytesIn" + EXCLUDED."BytesIn",
          "BytesOut" = t."BytesOut" + EXCLUDED."BytesOut",
          "Latency" = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(t."Latency", EXCLUDED."Latency") WITH ORDINALITY AS u(a, b, i) ORDER BY i)
        """;

    /// <summary>Key last-used times into <c>ApiKeys.LastUsedAt</c>; a time is removed from Redis only if no newer one replaced it meanwhile.</summary>
    private async Task<int> CopyLastUsedAsync(IDatabase db, CancellationToken cancellationToken)
    {
        var entries = await db.HashGetAllAsync(_keys.LastUsed);
        if (entries.Length == 0)
        {
            return 0;
        }

        var ids = entries.Select(e => e.Name.ToString()).ToArray();
        var times = entries.Select(e => DateTimeOffset.FromUnixTimeMilliseconds((long)e.Value)).ToArray();
        await using (var update = database.CreateCommand("""
            UPDATE "ApiKeys" AS k SET "LastUsedAt" = GREATEST(k."LastUsedAt", u.at)
            FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
            WHERE k."Id" = u.id
            """))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = ids });
            update.Parameters.Add(new NpgsqlParameter { Value = times });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        var args = new RedisValue[(entries.Length * 2) + 1];
        args[0] = _keys.LastUsed;
        for (var i = 0; i < entries.Length; i++)
        {
            args[(2 * i) + 1] = entries[i].Name;
            args[(2 * i) + 2] = entries[i].Value;
        }

        await db.ScriptEvaluateAsync(DeleteUnchangedScript, null, args);
        return entries.Length;
    }

    /// <summary>Each month's HyperLogLog estimate into <c>UsageMonthlyActiveUsers</c> (set, not added: repeating is harmless).</summary>
    private async Task<int> CopyMonthlyActiveUsersAsync(IDatabase db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var copied = 0;
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(db.Database, _keys.Prefix + "mau:*", pageSize: 500))
            {
                var name = key.ToString();
                var colon = name.LastIndexOf(':');
                if (colon < 0 || name.Length - colon != 7 ||
                    !int.TryParse(name.AsSpan(colon + 1, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) ||
                    !int.TryParse(name.AsSpan(colon + 5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12)
                {
                    continue;
                }

                var applicationId = name[(_keys.Prefix.Length + 4)..colon];
                var users = await db.HyperLogLogLengthAsync(key);
                await using var upsert = database.CreateCommand("""
                    INSERT INTO "UsageMonthlyActiveUsers" ("ApplicationId", "Month", "Users", "MeasuredAt") VALUES ($1, $2, $3, $4)
                    ON CONFLICT ("ApplicationId", "Month") DO UPDATE SET "Users" = EXCLUDED."Users", "MeasuredAt" = EXCLUDED."MeasuredAt"
                    """);
                upsert.Parameters.Add(new NpgsqlParameter { Value = applicationId });
                upsert.Parameters.Add(new NpgsqlParameter { Value = new DateOnly(year, month, 1) });
                upsert.Parameters.Add(new NpgsqlParameter { Value = users });
                upsert.Parameters.Add(new NpgsqlParameter { Value = now });
                await upsert.ExecuteNonQueryAsync(cancellationToken);
                copied++;
            }
        }

        return copied;
    }

    private async Task PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var batch = database.CreateBatch();
        foreach (var (table, column, before) in new[]
                 {
                     ("UsageMinutes", "Start", now - options.Value.MinuteRetention),
                     ("UsageHours", "Start", now - options.Value.HourRetention),
                     // A claim is remembered well beyond the time its Redis key can outlive the commit (the next run).
                     ("UsageRollupClaims", "AppliedAt", now - TimeSpan.FromDays(7)),
                 })
        {
            var command = new NpgsqlBatchCommand($"""DELETE FROM "{table}" WHERE "{column}" < $1""");
            command.Parameters.Add(new NpgsqlParameter { Value = before });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>ARGV: open set, claimed set, current unix minute, claim id. Claims every listed bucket of an earlier minute.</summary>
    private const string ClaimScript = """
        local members = redis.call('SMEMBERS', ARGV[1])
        local current = tonumber(ARGV[3])
        local n = 0
        for _, m in ipairs(members) do
          local minute = tonumber(string.match(m, ':(%d+)$'))
          if minute and minute < current then
            redis.call('SREM', ARGV[1], m)
            if redis.call('EXISTS', m) == 1 then
              local claimed = m .. '#' .. ARGV[4]
              redis.call('RENAME', m, claimed)
              redis.call('SADD', ARGV[2], claimed)
              n = n + 1
            end
          end
        end
        return n
        """;

    /// <summary>ARGV: hash, then field/value pairs: removes each field still holding the value read.</summary>
    private const string DeleteUnchangedScript = """
        for i = 2, #ARGV, 2 do
          if redis.call('HGET', ARGV[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', ARGV[1], ARGV[i]) end
        end
        return 0
        """;

    [LoggerMessage(LogLevel.Information, "Usage rollup: {Claimed} buckets claimed, {Applied} added, {Skipped} already added; {Keys} key times, {Mau} MAU sets copied")]
    private static partial void LogRolledUp(ILogger logger, long claimed, int applied, int skipped, int keys, int mau);
}
