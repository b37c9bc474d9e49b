using System.Globalization;

namespace Portal.Features.Proxy;

/// <summary>Header values of small numbers without allocating (the rate-limit headers of every response).</summary>
public static class HeaderNumbers
{
    private static readonly string[] Small = [.. Enumerable.Range(0, 1024).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    public static string Format(long value) =>
        value is >= 0 and < 1024 ? Small[value] : value.ToString(CultureInfo.InvariantCulture);
}
