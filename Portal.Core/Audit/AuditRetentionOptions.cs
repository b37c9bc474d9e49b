using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Audit;

/// <summary>The <c>Audit:Retention</c> section: how long audit events are kept, by the workspace's plan (PRODUCT.md).</summary>
public sealed class AuditRetentionOptions
{
    public const string Section = "Audit:Retention";

    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Free { get; set; } = TimeSpan.FromDays(7);

    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Pro { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Contracts say 90 days to 7 years; this is the default until a contract's own value is stored.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Enterprise { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Events of no workspace (sign-ins, tokens) and of purged workspaces.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Other { get; set; } = TimeSpan.FromDays(90);
}
