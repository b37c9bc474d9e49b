using System.Globalization;

namespace Portal.Benchmarks;

/// <summary>
/// The benchmarks' <c>--name value</c> options and <c>--name</c> switches. A value that does not parse throws an
/// <see cref="ArgumentException"/> naming the option, for the benchmark to print with its usage.
/// </summary>
internal static class BenchArgs
{
    public static string? Value(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    public static string String(string[] args, string name, string fallback) => Value(args, name) ?? fallback;

    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is not { } text ? fallback
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
            : throw new ArgumentException($"{name} takes a whole number, not '{text}'.");

    public static double Double(string[] args, string name, double fallback) =>
        Value(args, name) is not { } text ? fallback
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
            : throw new ArgumentException($"{name} takes a number, not '{text}'.");

    /// <summary>Whether the switch <paramref name="name"/> (which takes no value) is present.</summary>
    public static bool Flag(string[] args, string name) => args.Contains(name);

    /// <summary>Whether <c>--help</c> or <c>-h</c> is present.</summary>
    public static bool Help(string[] args) => args.Contains("--help") || args.Contains("-h");

    /// <summary>
    /// The first argument that is neither one of <paramref name="options"/> (each followed by its value) nor one of
    /// <paramref name="switches"/>, or null when all are known.
    /// </summary>
    public static string? Unknown(string[] args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> switches)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (options.Contains(args[i]))
            {
                i++;
            }
            else if (!switches.Contains(args[i]))
            {
                return args[i];
            }
        }

        return null;
    }

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
