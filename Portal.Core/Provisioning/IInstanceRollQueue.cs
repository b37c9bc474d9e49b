namespace Portal.Core.Provisioning;

/// <summary>Hands an instance's configuration roll or restart to the job queue (Hangfire in Portal.Jobs).</summary>
public interface IInstanceRollQueue
{
    void EnqueueRoll(string applicationId);
}
