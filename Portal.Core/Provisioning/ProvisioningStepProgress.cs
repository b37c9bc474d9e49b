namespace Portal.Core.Provisioning;

/// <summary>
/// One step of a run: its state, attempts, how long its last attempt took (so far, while it runs), its error with a
/// remediation hint, and how long such a step usually takes in the application's region.
/// </summary>
public sealed record ProvisioningStepProgress(
    string Name,
    string Label,
    ProvisioningStepStatus Status,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    TimeSpan? Duration,
    string? Error,
    string? Hint,
    TimeSpan Typical);
