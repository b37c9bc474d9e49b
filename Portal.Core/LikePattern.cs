namespace Portal.Core;

/// <summary>PostgreSQL LIKE patterns from user input, with its wildcards taken literally.</summary>
internal static class LikePattern
{
    /// <summary>Passed to <c>EF.Functions.ILike</c> explicitly: without it, Npgsql turns escaping off.</summary>
    public const string EscapeCharacter = "\\";

    /// <summary>Matches values that contain <paramref name="term"/>, escaped with <see cref="EscapeCharacter"/>.</summary>
    public static string Containing(string term) =>
        "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
