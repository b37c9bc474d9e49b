using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Core.Operations;

/// <summary>
/// One line of an instance's log: when the kubelet received it, from which pod, its level and message, and the other
/// fields of a JSON line (null for a plain-text line, which is taken as it is, at level info).
/// </summary>
public sealed record InstanceLogLine(DateTimeOffset Time, string Pod, InstanceLogLevel Level, string Message, JsonObject? Fields)
{
    private static readonly string[] LevelFields = ["level", "severity", "lvl"];
    private static readonly string[] MessageFields = ["msg", "message"];
    private static readonly string[] TimeFields = ["ts", "time", "timestamp"];

    /// <summary>
    /// A line as the pods/log endpoint writes it with <c>timestamps=true</c>: an RFC 3339 time with up to nine
    /// fractional digits, a space, then what the container wrote. Null when the line has no such time.
    /// </summary>
    public static InstanceLogLine? Parse(string pod, string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !TryParseTime(line.AsSpan(0, space), out var time))
        {
            return null;
        }

        var text = line[(space + 1)..].TrimEnd('\r');
        if (text.StartsWith('{') && TryParseJson(text) is { } json)
        {
            var level = InstanceLogLevel.Info;
            foreach (var name in LevelFields)
            {
                if (json.Remove(name, out var value) && value is JsonValue v && v.TryGetValue<string>(out var written))
                {
                    level = ParseLevel(written) ?? InstanceLogLevel.Info;
                    break;
                }
            }

            var message = text;
            foreach (var name in MessageFields)
            {
                if (json.Remove(name, out var value) && value is JsonValue v && v.TryGetValue<string>(out var written))
                {
                    message = written;
                    break;
                }
            }

            // The kubelet's time is the one lines are merged by; the instance's own copy adds nothing.
            foreach (var name in TimeFields)
            {
                json.Remove(name);
            }

            return new InstanceLogLine(time, pod, level, message, json.Count > 0 ? json : null);
        }

        return new InstanceLogLine(time, pod, InstanceLogLevel.Info, text, null);
    }

    /// <summary>A level as loggers write it (<c>warning</c>, <c>ERR</c>, <c>fatal</c> …); null when it is none of them.</summary>
    public static InstanceLogLevel? ParseLevel(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "trace" or "debug" or "dbg" => InstanceLogLevel.Debug,
        "info" or "information" or "notice" => InstanceLogLevel.Info,
        "warn" or "warning" => InstanceLogLevel.Warn,
        "error" or "err" or "fatal" or "critical" or "crit" or "panic" => InstanceLogLevel.Error,
        _ => null,
    };

    private static JsonObject? TryParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        // .NET reads at most seven fractional digits; the kubelet writes nine.
        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                var trimmed = string.Concat(text[..(dot + 8)], text[end..]);
                return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
