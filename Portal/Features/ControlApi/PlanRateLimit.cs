using System.ComponentModel.DataAnnotations;

namespace Portal.Features.ControlApi;

/// <summary>The control API requests one caller may make per minute and per day on a plan.</summary>
public sealed class PlanRateLimit
{
    [Range(1, 1_000_000)]
    public int PerMinute { get; set; }

    [Range(1, 100_000_000)]
    public int PerDay { get; set; }
}
