namespace Portal.Core.Provisioning;

/// <summary>How one application's teardown ended.</summary>
public enum TeardownOutcome
{
    /// <summary>Everything is gone; the application is <c>deleted</c> (its row kept for billing history).</summary>
    TornDown,

    /// <summary>Provisioning or a roll holds the application's lock: the next run tears it down.</summary>
    Busy,

    /// <summary>Nothing to do: already <c>deleted</c>, restored, or still within its restore window.</summary>
    NotNeeded,
}
