using System.ComponentModel.DataAnnotations;

namespace Portal.Core.ApiTokens;

/// <summary>The <c>ApiTokens</c> section.</summary>
public sealed class ApiTokenOptions
{
    public const string Section = "ApiTokens";

    /// <summary>How long a token from <c>POST /control/v1/auth/login</c> lasts.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many unrevoked personal tokens one account may have.</summary>
    [Range(1, 1000)]
    public int MaxPersonalTokens { get; set; } = 50;

    /// <summary>Last-used times are written at most this often per token, so that lookups stay reads.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan LastUsedPrecision { get; set; } = TimeSpan.FromMinutes(1);
}
