using System.Globalization;

namespace Portal.Simulators.Kubernetes;

/// <summary>Resource quantities (<c>100m</c>, <c>128Mi</c>, <c>2</c>, <c>1e3</c>) as decimals, for quotas and limit ranges.</summary>
internal static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1000m), ("M", 1000_000m), ("G", 1000_000_000m),
        ("T", 1000_000_000_000m), ("P", 1000_000_000_000_000m), ("E", 1000_000_000_000_000_000m),
    ];

    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        foreach (var (suffix, factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && decimal.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                value = number * factor;
                return true;
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            value = (decimal)plain;
            return true;
        }

        return false;
    }

    public static decimal Parse(string? text) => TryParse(text, out var value) ? value : 0;

    /// <summary>A total in the units quota status uses: whole numbers plain, CPU fractions in millicores.</summary>
    public static string Format(decimal value) =>
        value == decimal.Truncate(value) ? value.ToString("0", CultureInfo.InvariantCulture) : $"{(value * 1000).ToString("0", CultureInfo.InvariantCulture)}m";
}
