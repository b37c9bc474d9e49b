namespace Portal.Core.Usage;

/// <summary>Usage against what the plan includes (percent to two decimals); <see cref="Included"/> and <see cref="PercentUsed"/> are null when the plan sets no included amount.</summary>
public sealed record IncludedAmount(long Used, long? Included, double? PercentUsed)
{
    public static IncludedAmount Of(long used, long included) =>
        included > 0 ? new(used, included, Math.Round(100.0 * used / included, 2)) : new(used, null, null);
}
