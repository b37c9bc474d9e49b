using StackExchange.Redis;

namespace Portal.Core.Usage;

/// <summary>
/// Reads (never claims) the Redis minute buckets the rollup has not moved yet, so that metrics are current within
/// seconds. An open bucket's counts are in no table (a claimed bucket is renamed), so adding them never counts twice;
/// the database is read first, so a bucket the rollup moves meanwhile is missed for one refresh rather than doubled.
/// </summary>
internal static class OpenMinuteBuckets
{
    /// <summary>How far back open buckets are looked for: the rollup runs every minute, so only a stopped rollup leaves older ones.</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromMinutes(30);

    public static async Task<List<(DateTimeOffset Minute, UsageAccumulator Counts)>> ReadAsync(
        IDatabaseAsync redis, MeteringKeys keys, string applicationId, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        var first = Math.Max(from.ToUnixTimeSeconds(), (now - LookBack).ToUnixTimeSeconds()) / 60;
        var last = Math.Min(to.ToUnixTimeSeconds() - 1, now.ToUnixTimeSeconds()) / 60;
        var reads = new List<(long Minute, Task<HashEntry[]> Fields)>();
        for (var minute = first; minute <= last; minute++)
        {
            reads.Add((minute, redis.HashGetAllAsync(keys.Bucket(applicationId, minute))));
        }

        await Task.WhenAll(reads.Select(r => r.Fields));
        var buckets = new List<(DateTimeOffset, UsageAccumulator)>();
        foreach (var (minute, fields) in reads)
        {
            var entries = fields.Result;
            if (entries.Length > 0)
            {
                buckets.Add((DateTimeOffset.FromUnixTimeSeconds(minute * 60), Parse(entries)));
            }
        }

        return buckets;
    }

    private static UsageAccumulator Parse(HashEntry[] entries)
    {
        var (status, bytesIn, bytesOut, latency) = UsageBucket.Read(entries);
        var counts = new UsageAccumulator();
        counts.Add(status.Sum(), status[3], status[4], bytesIn, bytesOut, latency);
        return counts;
    }
}
