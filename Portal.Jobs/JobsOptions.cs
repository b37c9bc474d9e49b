using System.ComponentModel.DataAnnotations;

namespace Portal.Jobs;

/// <summary>The <c>Jobs</c> section.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";
    public const string Schema = "hangfire";

    [Range(1, 200)]
    public int WorkerCount { get; set; } = Math.Min(Environment.ProcessorCount * 5, 20);

    /// <summary>
    /// Fallback poll of the queues. New jobs are picked up at once through PostgreSQL LISTEN/NOTIFY (long polling);
    /// the poll only catches what a missed notification would leave behind.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often delayed and recurring jobs are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(5);
}
