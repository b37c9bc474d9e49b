using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Webhooks;

/// <summary>The <c>Webhooks</c> section.</summary>
public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    public static readonly IReadOnlyList<int> DefaultAllowedPorts = [443, 80, 8443];

    /// <summary>The retry delays after the first, second, … failed attempt; the last one repeats until <see cref="RetryWindow"/> ends.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10),
    ];

    /// <summary>
    /// Whether destinations may resolve to loopback, private, link-local, unique-local, CGNAT, multicast or unspecified
    /// addresses (and plain http is allowed). True only in Development by default.
    /// </summary>
    public bool AllowPrivateDestinations { get; set; }

    /// <summary>How long one attempt may take, connection included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Overrides <see cref="DefaultRetryDelays"/> (each delay gets up to 20 % of random jitter on top).</summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary>How long after a delivery is made it is still retried; then it is <c>failed</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long the previous secret keeps signing after a rotation.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A due delivery with no job queued for this long is queued by the sweeper (a crash between commit and enqueue).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A delivery queued this long ago and still due is queued again (its job was lost).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(15);

    [Range(1, 100)]
    public int MaxEndpointsPerApplication { get; set; } = 10;

    /// <summary>
    /// The ports a webhook URL may name while private destinations are refused (outside Development); others reach
    /// other services (SMTP, Redis, …). Setting the list replaces the default 443, 80 and 8443.
    /// </summary>
    public int[]? AllowedPorts { get; set; }

    public IReadOnlyList<int> EffectiveAllowedPorts => AllowedPorts is { Length: > 0 } ports ? ports : DefaultAllowedPorts;

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays is { Length: > 0 } delays ? delays : DefaultRetryDelays;
}
