namespace Portal.Core.Provisioning;

/// <summary>
/// An application's latest provisioning run as its page shows it: each step, the share done, and an estimate of the
/// time left (null once the run has ended). <see cref="RunId"/> is null while the first run waits for a worker.
/// </summary>
public sealed record ProvisioningProgress(
    string? RunId,
    ProvisioningRunStatus Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    IReadOnlyList<ProvisioningStepProgress> Steps,
    int Percent,
    TimeSpan? EstimatedTimeLeft)
{
    public bool InProgress => Status is ProvisioningRunStatus.Pending or ProvisioningRunStatus.Running;
}
