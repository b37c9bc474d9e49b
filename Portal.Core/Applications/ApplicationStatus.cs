namespace Portal.Core.Applications;

/// <summary>Where an application's instance is: provisioning → active, and the states around them (PRODUCT.md).</summary>
public enum ApplicationStatus
{
    Provisioning,
    Active,
    Failed,
    Restarting,
    Suspended,
    Deleting,
    Deleted,
}
