using System.Globalization;

namespace Portal.Features.Usage;

/// <summary>How the usage pages write numbers: thousands separated, bytes in decimal units (as they are billed), percentages.</summary>
public static class UsageFormat
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB", "PB"];

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1000 && unit < Units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0 ? $"{bytes.ToString(CultureInfo.InvariantCulture)} B" : $"{value.ToString("0.##", CultureInfo.InvariantCulture)} {Units[unit]}";
    }

    public static string Milliseconds(double? value) => value is { } ms ? $"{ms.ToString("0.###", CultureInfo.InvariantCulture)} ms" : "–";

    public static string Percent(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %";
}
