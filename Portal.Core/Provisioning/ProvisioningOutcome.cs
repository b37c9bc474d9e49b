namespace Portal.Core.Provisioning;

public enum ProvisioningOutcome
{
    Succeeded,
    Failed,

    /// <summary>Another run of the same application holds the lock; this one did nothing.</summary>
    AlreadyRunning,

    /// <summary>The application is gone or being deleted; nothing to provision.</summary>
    NotProvisionable,
}
