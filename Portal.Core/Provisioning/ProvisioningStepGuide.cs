namespace Portal.Core.Provisioning;

/// <summary>What each provisioning step means to an application's owner: a label, what to do when it fails, and how long it usually takes.</summary>
public static class ProvisioningStepGuide
{
    private static readonly Dictionary<string, (string Label, string Hint, TimeSpan Typical)> Steps = new(StringComparer.Ordinal)
    {
        [ProvisioningSteps.Credentials] = ("Reserve names and generate credentials",
            "The portal could not record the application's credentials. Retry provisioning; if it fails again, contact support.", TimeSpan.FromSeconds(1)),
        [ProvisioningSteps.Namespace] = ("Create the Kubernetes namespace",
            "The region's cluster refused or did not answer. Check the cluster's status, then retry provisioning.", TimeSpan.FromSeconds(1)),
        [ProvisioningSteps.Database] = ("Create the database and its role",
            "The region's tenant PostgreSQL could not be reached or refused the change. Check that server and its admin role, then retry provisioning.", TimeSpan.FromSeconds(2)),
        [ProvisioningSteps.RedisUser] = ("Create the Redis user",
            "The region's tenant Redis could not be reached or refused the ACL change. Check that server and its admin user, then retry provisioning.", TimeSpan.FromSeconds(1)),
        [ProvisioningSteps.Configuration] = ("Store the secrets and configuration",
            "The cluster refused the service account, secret or configuration map. Check the application's configuration and the cluster, then retry provisioning.", TimeSpan.FromSeconds(2)),
        [ProvisioningSteps.Policies] = ("Apply quotas and the network policy",
            "The cluster refused the quota, limits or network policy. Check the cluster's admission rules, then retry provisioning.", TimeSpan.FromSeconds(2)),
        [ProvisioningSteps.Workload] = ("Deploy the server",
            "The cluster refused the deployment, service or autoscaler. Check the cluster's admission rules and capacity, then retry provisioning.", TimeSpan.FromSeconds(2)),
        [ProvisioningSteps.Migrations] = ("Migrate the instance's database",
            "The instance's database migration Job failed or could not start: the error shows its reason and last log lines. Check the instance image and the database, then retry provisioning (the Job runs again).", TimeSpan.FromSeconds(5)),
        [ProvisioningSteps.Rollout] = ("Wait for the server to become ready",
            "The server's pods did not become ready. Check that the instance image exists and can be pulled, and that the configuration is valid, then retry provisioning.", TimeSpan.FromSeconds(30)),
        [ProvisioningSteps.Activate] = ("Activate the application",
            "The portal could not mark the application active. Retry provisioning.", TimeSpan.FromSeconds(1)),
    };

    public static string Label(string step) => Steps.TryGetValue(step, out var guide) ? guide.Label : step;

    public static string Hint(string step) => Steps.TryGetValue(step, out var guide) ? guide.Hint : "Retry provisioning.";

    /// <summary>The expected duration of a step when the region has no history to go by.</summary>
    public static TimeSpan DefaultDuration(string step) => Steps.TryGetValue(step, out var guide) ? guide.Typical : TimeSpan.FromSeconds(2);
}
