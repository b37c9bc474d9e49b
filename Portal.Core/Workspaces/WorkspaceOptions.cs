using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Workspaces;

/// <summary>The <c>Workspaces</c> section.</summary>
public sealed class WorkspaceOptions
{
    public const string Section = "Workspaces";

    /// <summary>How long a deleted workspace can be restored before it is purged.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan DeletedRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an invitation link stays valid.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many workspaces one user may own, so that one account cannot fill the slug namespace.</summary>
    [Range(1, 1000)]
    public int MaxOwnedWorkspaces { get; set; } = 20;
}
