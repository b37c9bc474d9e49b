namespace Portal.Core.Provisioning;

/// <summary>How a configuration roll or restart ended.</summary>
public enum RollOutcome
{
    /// <summary>The new pods are ready; the application is <c>active</c>.</summary>
    Succeeded,

    /// <summary>The rollout failed; the application is <c>failed</c> with the error in <c>LastError</c>.</summary>
    Failed,

    /// <summary>Provisioning, a teardown or another roll holds the application's lock: try again later.</summary>
    Busy,

    /// <summary>The application is no longer <c>restarting</c> (deleted, or rolled meanwhile): nothing to do.</summary>
    NotNeeded,
}
