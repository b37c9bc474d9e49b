using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Usage;

public sealed class MeteringOptions
{
    public const string Section = "Metering";

    /// <summary>Prefix of the Redis keys of the meter (buckets, MAU sets, last-used times).</summary>
    [Required]
    public string RedisKeyPrefix { get; set; } = "portal:usage:";

    /// <summary>Events the request path may leave waiting for the writer; beyond, events are dropped and counted.</summary>
    [Range(1_000, 10_000_000)]
    public int ChannelCapacity { get; set; } = 262_144;

    /// <summary>How often the writer sends what it gathered to Redis.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// While Redis is unreachable, the writer keeps this many events' worth of unsent batches (aggregated, so small);
    /// beyond, it stops draining the channel, which then fills and drops.
    /// </summary>
    [Range(1_000, 100_000_000)]
    public long MaxBufferedEvents { get; set; } = 5_000_000;

    /// <summary>How long a month's MAU HyperLogLog is kept after its last write.</summary>
    public TimeSpan MauRetention { get; set; } = TimeSpan.FromDays(60);

    /// <summary>Per-minute rows older than this are deleted by the rollup.</summary>
    public TimeSpan MinuteRetention { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Per-hour rows older than this are deleted by the rollup (per-day rows are kept).</summary>
    public TimeSpan HourRetention { get; set; } = TimeSpan.FromDays(90);
}
