using Hangfire;
using Portal.Jobs;

namespace Portal.Benchmarks;

/// <summary>A job that only reports how long it waited between its enqueueing and its start.</summary>
public sealed class LatencyProbeJob(LatencyCollector collector)
{
    // A retried probe would report its retry delay, not the pick-up latency.
    [Queue(JobQueues.Critical)]
    [AutomaticRetry(Attempts = 0)]
    public void Run(long enqueuedAtUtcTicks) => collector.Record(TimeSpan.FromTicks(DateTime.UtcNow.Ticks - enqueuedAtUtcTicks));
}
