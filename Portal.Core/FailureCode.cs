namespace Portal.Core;

/// <summary>The error codes of the control API's envelope that a use case can answer with.</summary>
public enum FailureCode
{
    InvalidRequest,
    Forbidden,
    NotFound,
    Conflict,

    /// <summary>The workspace's plan does not allow more (a 403 with code <c>plan_limit</c>).</summary>
    PlanLimit,

    /// <summary>Something the use case needs outside the process (a cluster) does not answer now (503, worth retrying).</summary>
    Unavailable,
}
