namespace Portal.Core;

/// <summary>PostgreSQL LIKE patterns from user input, with its wildcards taken literally.</summary>
internal static class LikePattern
{
    /// <summary>Matches values that contain <paramref name="term"/> (backslash is PostgreSQL's default escape character).</summary>
    public static string Containing(string term) =>
        "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
