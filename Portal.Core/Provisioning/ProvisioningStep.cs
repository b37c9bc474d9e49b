namespace Portal.Core.Provisioning;

/// <summary>One idempotent "ensure" operation of a run, with its attempts and outcome.</summary>
public class ProvisioningStep
{
    public long Id { get; set; }

    public required string RunId { get; set; }

    /// <summary>One of <see cref="ProvisioningSteps.All"/>.</summary>
    public required string Name { get; set; }

    public int Order { get; set; }

    public ProvisioningStepStatus Status { get; set; } = ProvisioningStepStatus.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? Error { get; set; }
}
