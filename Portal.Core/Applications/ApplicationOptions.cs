using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Applications;

/// <summary>The <c>Applications</c> section: plan limits and grace periods (PRODUCT.md's plans table).</summary>
public sealed class ApplicationOptions
{
    public const string Section = "Applications";

    /// <summary>Applications a free workspace may have (deleted ones do not count); pro and enterprise are unlimited.</summary>
    [Range(1, 1000)]
    public int FreePlanMaxApplications { get; set; } = 3;

    /// <summary>How long a deleted application can be restored before its instance is torn down.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "90.00:00:00")]
    public TimeSpan DeletedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Until when a deleted application can be restored; null when it is not deleted.</summary>
    public DateTimeOffset? RestorableUntil(Application application) => application.DeletedAt + DeletedRetention;

    public DateTimeOffset? RestorableUntil(ApplicationView application) => application.DeletedAt + DeletedRetention;
}
