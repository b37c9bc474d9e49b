namespace Portal.Core.Provisioning;

public enum ProvisioningRunStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
}
