namespace Portal.Core.ApiKeys;

/// <summary>The documented scopes of secret keys; each maps to route patterns of the instance's API (README).</summary>
public static class ApiKeyScopes
{
    public const string All = "*";

    public static readonly IReadOnlyList<string> Known =
    [
        "users:read", "users:write", "sessions:read", "sessions:write", "tokens:verify", "organizations:read", "organizations:write", "admin",
    ];

    /// <summary>Null when every scope is known (or the list is just <c>*</c>), else the first unknown one.</summary>
    public static string? FirstUnknown(IEnumerable<string> scopes) =>
        scopes.FirstOrDefault(s => s != All && !Known.Contains(s, StringComparer.Ordinal));
}
