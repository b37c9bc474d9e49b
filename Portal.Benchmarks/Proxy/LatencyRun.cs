namespace Portal.Benchmarks.Proxy;

/// <summary>One open-loop run: its latency percentiles (ms) and how far the pacer fell behind its schedule.</summary>
internal sealed record LatencyRun(int Requests, int Errors, double P50, double P99, double Max, double MaxLagMs, long LateSends);
