using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Core.Operations;

/// <summary>
/// Which lines of an instance's log to read: the last <see cref="Tail"/> lines (at most <see cref="MaxTail"/>) since
/// <see cref="Since"/>, of <see cref="MinimumLevel"/> or above, containing <see cref="Text"/> (any case), of one pod.
/// </summary>
public sealed partial record InstanceLogQuery(DateTimeOffset? Since, int Tail, InstanceLogLevel? MinimumLevel, string? Text, string? Pod)
{
    public const int DefaultTail = 100;
    public const int MaxTail = 1000;
    public const int MaxTextLength = 200;
    public static readonly TimeSpan MaxSince = TimeSpan.FromDays(30);

    /// <summary>The query string's values as the API receives them; a refusal names the parameter at fault.</summary>
    public static Outcome<InstanceLogQuery> Parse(string? since, string? tail, string? level, string? q, string? pod, DateTimeOffset now)
    {
        var lines = DefaultTail;
        if (tail is not null && (!int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out lines) || lines is < 1 or > MaxTail))
        {
            return Failure.Invalid("tail", $"tail is a number of lines from 1 to {MaxTail}.");
        }

        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (Duration().Match(since) is { Success: true } duration)
            {
                var amount = long.Parse(duration.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
                var unit = duration.Groups[2].Value switch
                {
                    "s" => TimeSpan.FromSeconds(1),
                    "m" => TimeSpan.FromMinutes(1),
                    "h" => TimeSpan.FromHours(1),
                    _ => TimeSpan.FromDays(1),
                };
                if (amount < 1 || amount > MaxSince.Ticks / unit.Ticks)
                {
                    return Failure.Invalid("since", "since is at most 30d back.");
                }

                from = now - (unit * amount);
            }
            else if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                     && since.Contains('T', StringComparison.Ordinal))
            {
                from = at < now - MaxSince ? now - MaxSince : at;
            }
            else
            {
                return Failure.Invalid("since", "since is a duration (30s, 15m, 2h, 7d) or an RFC 3339 time (2026-12-06T10:00:00Z).");
            }
        }

        InstanceLogLevel? minimum = null;
        if (level is not null)
        {
            minimum = InstanceLogLine.ParseLevel(level);
            if (minimum is null)
            {
                return Failure.Invalid("level", "level is one of debug, info, warn, error; lines of that level and above are kept.");
            }
        }

        if (q is not null && (q.Length > MaxTextLength || string.IsNullOrWhiteSpace(q)))
        {
            return Failure.Invalid("q", $"q is a text of 1 to {MaxTextLength} characters.");
        }

        if (pod is not null && !PodName().IsMatch(pod))
        {
            return Failure.Invalid("pod", "pod is the name of one of the instance's pods (lowercase letters, digits, '-' and '.').");
        }

        return new InstanceLogQuery(from, lines, minimum, q, pod);
    }

    /// <summary>Whether a line passes the level and text filters (the time and pod are chosen upstream).</summary>
    public bool Keeps(InstanceLogLine line) =>
        (MinimumLevel is not { } minimum || line.Level >= minimum)
        && (Text is null || line.Message.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || (line.Fields is { } fields && fields.ToJsonString().Contains(Text, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Whether lines are filtered after reading, so that more than <see cref="Tail"/> must be read per pod.</summary>
    public bool Filters => MinimumLevel is not null || Text is not null;

    [GeneratedRegex("^([0-9]{1,9})(s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex PodName();
}
