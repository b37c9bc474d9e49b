using System.Text.RegularExpressions;

namespace Portal.Features.ControlApi;

/// <summary>Field names out of System.Text.Json's and parameter binding's errors: <c>$.metadata.team</c> → <c>metadata.team</c>.</summary>
internal static partial class JsonFields
{
    public static string? FromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        field = field.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
        return field.Length == 0 ? null : field;
    }

    /// <summary>The property the serializer could not map (UnmappedMemberHandling.Disallow), or null for other errors.</summary>
    public static string? UnmappedMember(string message) =>
        UnmappedPattern().Match(message) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The route or query parameter minimal APIs could not bind (<c>Failed to bind parameter "int? page" from "abc"</c>).</summary>
    public static string? UnboundParameter(string message) =>
        BindPattern().Match(message) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex("Failed to bind parameter \"[^\"]*?(\\w+)\" from")]
    private static partial Regex BindPattern();

    [GeneratedRegex("JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedPattern();
}
