namespace Portal.Core.Provisioning;

/// <summary>Hands an application's provisioning to the job queue (Hangfire in Portal.Jobs).</summary>
public interface IProvisioningQueue
{
    void Enqueue(string applicationId);
}
