namespace Portal.Core.Provisioning;

public enum ProvisioningStepStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
}
