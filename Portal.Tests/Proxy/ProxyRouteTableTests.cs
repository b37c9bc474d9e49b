using Portal.Core.ApiKeys;
using Portal.Core.Proxy;
using Portal.Features.Proxy;

namespace Portal.Tests.Proxy;

/// <summary>The route patterns and the scope table on their own (no servers), and reading a user id from a bounded JSON body.</summary>
public sealed class ProxyRouteTableTests
{
    private static ProxyKey Key(ApiKeyType type, params string[] scopes) => new("key_1", "app_1", type, scopes, "sk_live_abcd…", null, null);

    [Theory]
    [InlineData("GET users/**", "GET", "users", true)]
    [InlineData("GET users/**", "GET", "users/usr_1/sessions", true)]
    [InlineData("GET users/**", "get", "users/", true)]
    [InlineData("GET users/**", "POST", "users", false)]
    [InlineData("GET users/**", "GET", "usersx", false)]
    [InlineData("GET users/**", "GET", "organizations/users", false)]
    [InlineData("* auth/sign-in", "PATCH", "auth/sign-in", true)]
    [InlineData("* auth/sign-in", "POST", "auth/sign-in/more", false)]
    [InlineData("* auth/sign-in", "POST", "auth", false)]
    [InlineData("POST users/*/roles", "POST", "users/usr_1/roles", true)]
    [InlineData("POST users/*/roles", "POST", "users//roles", false)]
    [InlineData("POST users/*/roles", "POST", "users/usr_1/roles/x", false)]
    [InlineData("GET .well-known/**", "GET", ".well-known/openid-configuration", true)]
    public void Patterns_MatchMethodAndSegments(string pattern, string method, string path, bool matches)
    {
        var compiled = ProxyRoutePattern.TryParse(pattern, out var error);
        Assert.Null(error);
        Assert.Equal(matches, compiled!.Matches(method, path));
    }

    [Theory]
    [InlineData("users/**")]
    [InlineData("GET users/**/x")]
    [InlineData("GET us*rs")]
    [InlineData("G3T users")]
    public void MalformedPatterns_AreRefused(string pattern)
    {
        Assert.Null(ProxyRoutePattern.TryParse(pattern, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void TheDefaultTable_OpensPublicRoutesToAll_AndScopesToSecretKeys()
    {
        var table = ProxyRouteTable.Compile(ProxyHostOptions.DefaultPublicRoutes, ProxyHostOptions.DefaultScopeRoutes, out var error);
        Assert.Null(error);

        Assert.True(table.Allows(Key(ApiKeyType.Public), "POST", "auth/sign-in"));
        Assert.False(table.Allows(Key(ApiKeyType.Public), "GET", "users"));
        // A public key never uses scopes, even if it had some.
        Assert.False(table.Allows(Key(ApiKeyType.Public, "*"), "GET", "users"));
        Assert.True(table.Allows(Key(ApiKeyType.Secret, "users:read"), "GET", "users/usr_1"));
        Assert.False(table.Allows(Key(ApiKeyType.Secret, "users:read"), "PUT", "users/usr_1"));
        Assert.True(table.Allows(Key(ApiKeyType.Secret, "users:read", "users:write"), "PUT", "users/usr_1"));
        Assert.True(table.Allows(Key(ApiKeyType.Secret, "*"), "DELETE", "anything/at/all"));
        Assert.False(table.Allows(Key(ApiKeyType.Secret), "GET", "users"));
        Assert.True(table.Allows(Key(ApiKeyType.Secret), "POST", "auth/refresh"));

        // Every documented scope grants something.
        Assert.All(ApiKeyScopes.Known, scope => Assert.Contains(ProxyHostOptions.DefaultScopeRoutes, r => r.StartsWith(scope + " ", StringComparison.Ordinal)));
    }

    [Fact]
    public void AConfiguredTable_WithAnUnknownScopeOrABadPattern_NamesTheMistake()
    {
        ProxyRouteTable.Compile(["* auth/sign-in"], ["users:reed GET users/**"], out var error);
        Assert.Contains("users:reed", error, StringComparison.Ordinal);
        ProxyRouteTable.Compile(["auth/sign-in"], [], out error);
        Assert.Contains("Proxy:PublicRoutes", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"user":{"id":"usr_1","email":"a@b.c"}}""", "usr_1")]
    [InlineData("""{"access_token":"x","nested":{"user":{"id":"no"}},"user":{"email":"a@b.c","profile":{"id":"no"},"id":"usr_2"}}""", "usr_2")]
    [InlineData("""{"user":{"id":42}}""", null)]
    [InlineData("""{"id":"usr_top"}""", null)]
    // Read as it comes: a cut body still yields an id already complete (bodies over the limit are never read).
    [InlineData("""{"user":{"id":"usr_1" """, "usr_1")]
    [InlineData("""{"access_token":"abc""", null)]
    [InlineData("""[{"user":{"id":"usr_1"}}]""", null)]
    [InlineData("", null)]
    public void TheUserId_IsReadFromTopLevelUserDotId_AsAString(string json, string? expected) =>
        Assert.Equal(expected, ProxyTransformer.UserIdFromJson(System.Text.Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("/v1/app_1/auth/sign-in", "/v1/auth/sign-in")]
    [InlineData("/v1/app_1", "/v1")]
    [InlineData("/v1/app_1/", "/v1/")]
    [InlineData("/v1/app_1/a/b/c", "/v1/a/b/c")]
    public void TheUpstreamPath_DropsTheApplicationSegment(string path, string upstream) =>
        Assert.Equal(upstream, ForwardingTransformer.UpstreamPath(new Microsoft.AspNetCore.Http.PathString(path)).Value);
}
