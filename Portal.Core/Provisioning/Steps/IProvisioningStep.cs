namespace Portal.Core.Provisioning.Steps;

/// <summary>
/// One step of a provisioning run: an idempotent "ensure" (create, or verify what exists), so that running it again,
/// after a crash or a failed attempt, converges. Its <see cref="Name"/> is stored with the run's progress.
/// </summary>
public interface IProvisioningStep
{
    /// <summary>One of <see cref="ProvisioningSteps.All"/>.</summary>
    string Name { get; }

    /// <summary>Throws when the step did not get done; the run records the error and tries the step again.</summary>
    Task RunAsync(ProvisioningContext context, CancellationToken ct);
}
