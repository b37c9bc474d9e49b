using System.Globalization;

namespace Portal.Benchmarks.Proxy;

/// <summary>The proxy benchmark's `--name value` options.</summary>
internal static class BenchArgs
{
    public static string? Value(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    public static string String(string[] args, string name, string fallback) => Value(args, name) ?? fallback;

    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } text ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A duration as <c>10s</c>, <c>500ms</c> or <c>2m</c>.</summary>
    public static TimeSpan Duration(string[] args, string name, TimeSpan fallback)
    {
        if (Value(args, name) is not { } text)
        {
            return fallback;
        }

        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return TimeSpan.FromSeconds(double.Parse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * unit);
    }
}
