using Portal.Core.Applications;

namespace Portal.Core.Provisioning;

/// <summary>One pass of provisioning over an application; its steps record how far it got.</summary>
public class ProvisioningRun
{
    public string Id { get; set; } = Ids.New("run");

    public required string ApplicationId { get; set; }

    public Application? Application { get; set; }

    public ProvisioningRunStatus Status { get; set; } = ProvisioningRunStatus.Pending;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Why the run failed: the failed step's error, meant for the application's owner.</summary>
    public string? Error { get; set; }

    public List<ProvisioningStep> Steps { get; set; } = [];
}
