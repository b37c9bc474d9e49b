namespace Portal.Core.ApiTokens;

/// <summary>Scopes as the API and the audit log spell them: <c>read</c>, <c>write</c>, <c>admin</c>.</summary>
public static class ApiScopeNames
{
    public static readonly IReadOnlyList<ApiScopes> Each = [ApiScopes.Read, ApiScopes.Write, ApiScopes.Admin];

    public static string Name(ApiScopes scope) => scope.ToString().ToLowerInvariant();

    public static string Format(ApiScopes scopes) => string.Join(' ', Each.Where(s => scopes.HasFlag(s)).Select(Name));
}
