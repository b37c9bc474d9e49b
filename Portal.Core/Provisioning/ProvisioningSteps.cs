namespace Portal.Core.Provisioning;

/// <summary>
/// The names of a run's steps, in the order they run: stored with each run's progress, shown with their
/// <see cref="ProvisioningStepGuide"/>. Each is one <see cref="Steps.IProvisioningStep"/>, registered in this order.
/// </summary>
public static class ProvisioningSteps
{
    public const string Credentials = "credentials";
    public const string Namespace = "namespace";
    public const string Database = "database";
    public const string RedisUser = "redis-user";
    public const string Configuration = "configuration";
    public const string Policies = "policies";
    public const string Workload = "workload";
    public const string Migrations = "migrations";
    public const string Rollout = "rollout";
    public const string Activate = "activate";

    public static readonly IReadOnlyList<string> All = [Credentials, Namespace, Database, RedisUser, Configuration, Policies, Workload, Migrations, Rollout, Activate];
}
