namespace Portal.Jobs;

/// <summary>Hangfire queues, in the order a worker takes from them.</summary>
public static class JobQueues
{
    public const string Critical = "critical";
    public const string Default = "default";
    public const string Low = "low";

    public static readonly string[] All = [Critical, Default, Low];
}
