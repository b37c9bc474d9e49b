using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Benchmarks.Proxy;

/// <summary>One closed-loop throughput run of Debian's <c>wrk</c>: requests per second, and what went wrong.</summary>
internal sealed partial record WrkRun(double RequestsPerSecond, long Requests, long Non2xx, long SocketErrors, string Output)
{
    public bool Clean => Non2xx == 0 && SocketErrors == 0 && Requests > 0;

    public static async Task<WrkRun> RunAsync(Uri url, string? authorization, int threads, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{Math.Max(1, (int)duration.TotalSeconds)}s", "--timeout", "10s" })
        {
            start.ArgumentList.Add(arg);
        }

        if (authorization is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add("Authorization: " + authorization);
        }

        start.ArgumentList.Add(url.ToString());
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = await output + await error;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {text}");
        }

        return new WrkRun(
            Number(RequestsPerSecondPattern(), text),
            (long)Number(RequestsPattern(), text),
            (long)Number(Non2xxPattern(), text),
            SocketErrorsPattern().Match(text) is { Success: true } m ? m.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0,
            text);
    }

    private static double Number(Regex pattern, string text) =>
        pattern.Match(text) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecondPattern();

    [GeneratedRegex(@"([0-9]+) requests in ")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses: ([0-9]+)")]
    private static partial Regex Non2xxPattern();

    [GeneratedRegex(@"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")]
    private static partial Regex SocketErrorsPattern();
}
