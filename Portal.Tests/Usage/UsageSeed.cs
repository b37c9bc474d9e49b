using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core;
using Portal.Core.Applications;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Usage;

/// <summary>Usage rows written straight to the tables (as the rollup would have), and open Redis buckets (as the writer would have).</summary>
public static class UsageSeed
{
    /// <summary>A latency histogram with the given request count in each given bucket.</summary>
    public static long[] Latency(params (int Bucket, long Count)[] buckets)
    {
        var histogram = new long[LatencyHistogram.BucketCount];
        foreach (var (bucket, count) in buckets)
        {
            histogram[bucket] += count;
        }

        return histogram;
    }

    public static UsageMinute Minute(string applicationId, DateTimeOffset start, long ok = 0, long e4 = 0, long e5 = 0, long bytesIn = 0, long bytesOut = 0, long[]? latency = null) =>
        Fill(new UsageMinute { ApplicationId = applicationId }, start, ok, e4, e5, bytesIn, bytesOut, latency);

    public static UsageHour Hour(string applicationId, DateTimeOffset start, long ok = 0, long e4 = 0, long e5 = 0, long bytesIn = 0, long bytesOut = 0, long[]? latency = null) =>
        Fill(new UsageHour { ApplicationId = applicationId }, start, ok, e4, e5, bytesIn, bytesOut, latency);

    public static UsageDay Day(string applicationId, DateTimeOffset start, long ok = 0, long e4 = 0, long e5 = 0, long bytesIn = 0, long bytesOut = 0, long[]? latency = null) =>
        Fill(new UsageDay { ApplicationId = applicationId }, start, ok, e4, e5, bytesIn, bytesOut, latency);

    private static T Fill<T>(T row, DateTimeOffset start, long ok, long e4, long e5, long bytesIn, long bytesOut, long[]? latency)
        where T : UsagePeriod
    {
        row.Start = start;
        row.Requests2xx = ok;
        row.Requests4xx = e4;
        row.Requests5xx = e5;
        row.BytesIn = bytesIn;
        row.BytesOut = bytesOut;
        row.Latency = latency ?? Latency((10, ok + e4 + e5));
        return row;
    }

    public static Application Application(string workspaceId, string name, DateTimeOffset createdAt, ApplicationStatus status = ApplicationStatus.Active) => new()
    {
        WorkspaceId = workspaceId,
        Name = name,
        Slug = name.ToLowerInvariant().Replace(' ', '-'),
        Region = "us-east-1",
        Status = status,
        CreatedAt = createdAt,
        DeletedAt = status is ApplicationStatus.Deleted or ApplicationStatus.Deleting ? createdAt.AddDays(1) : null,
    };

    public static async Task AddAsync(string connectionString, params object[] entities)
    {
        await using PortalDbContext db = PostgresServer.CreateContext(connectionString);
        db.AddRange(entities);
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
    }

    public static MeteringKeys Keys(IServiceProvider services) => new(services.GetRequiredService<IOptions<MeteringOptions>>().Value.RedisKeyPrefix);

    /// <summary>An open minute bucket, fields as the writer's script sets them (s1–s5, bi, bo, h0–h83).</summary>
    public static async Task OpenBucketAsync(IConnectionMultiplexer redis, MeteringKeys keys, string applicationId, DateTimeOffset minute, params (string Field, long Value)[] fields)
    {
        var key = keys.Bucket(applicationId, minute.ToUnixTimeSeconds() / 60);
        var db = redis.GetDatabase();
        await db.HashSetAsync(key, fields.Select(f => new HashEntry(f.Field, f.Value)).ToArray());
        await db.SetAddAsync(keys.OpenSet, key);
    }
}
