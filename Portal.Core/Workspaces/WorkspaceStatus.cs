namespace Portal.Core.Workspaces;

public enum WorkspaceStatus
{
    Active,

    /// <summary>Stopped by a platform administrator: members can look, nobody can change anything.</summary>
    Suspended,

    /// <summary>Deleted by its owner: hidden, restorable during the grace period, then purged.</summary>
    Deleted,
}
